/**
 * The built site in a real browser: `instancenorm-shim site` writes it, headless Chromium (the
 * system's, driven by playwright-core; one launch for the file) opens it from file://, and the
 * checks are the issue's: every pair listed and filterable, the InstanceNorm1d zh page with the
 * seed page's table and example, the playground computing the seed page's numbers, reacting to
 * MindSpore's affine/gamma_init, showing the frameworks' errors, the zh/en switch, no console
 * errors and nothing fetched from the network. It writes screenshots to build/site-screenshots.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { main } from '../../src/cli/main';
import { instanceNormReference } from '../../src/core/reference';
import { Tensor } from '../../src/core/tensor';
import { loadMapping, mappingEntry } from '../../src/mapping';
import { differenceTable } from '../../src/mapping/render';
import * as mindspore from '../../src/mindspore';
import { readSiteAssets } from '../../src/site';
import * as torch from '../../src/torch';
import { findChromium } from '../helpers/chromium';
import { thrown } from '../helpers/errors';
import { capture } from '../helpers/io';

const { buildSiteAssets } = require('../../scripts/build-site.js') as { buildSiteAssets: () => Promise<unknown> };

/** The outputs the seed page (../shared/seed/InstanceNorm1d.zh.md, 代码示例) published, copied from it. */
const PUBLISHED = {
  torch: [1.5064616e0, -9.0387678e-1, -9.0387678e-1, 3.0129281e-1, -5.3444624e-1, -1.0688924e0, 3.2054459e-8, 1.6033382e0],
  mindspore: [1.506461e0, -9.0387726e-1, -9.0387726e-1, 3.0129224e-1, -5.3444624e-1, -1.0688924e0, 3.2054459e-8, 1.6033382e0],
};
/** The seed's statements and printouts the page must show (whitespace aside). */
const SEED_CODE = [
  'm = nn.InstanceNorm1d(num_features=2)',
  'input_x = tensor(np.array([[[0.7, 0.5, 0.5, 0.6], [0.5, 0.4, 0.6, 0.9]]]).astype(np.float32))',
  'print(output.detach().numpy())',
  '# [[[ 1.5064616e+00 -9.0387678e-01 -9.0387678e-01 3.0129281e-01]',
  'm = nn.InstanceNorm1d(num_features=2, affine=False)',
  'm.set_train()',
  '# [[[ 1.5064610e+00 -9.0387726e-01 -9.0387726e-01 3.0129224e-01]',
];
/**
 * Today the torch facade agrees with the published PyTorch numbers to about 1e-7, not to the
 * printed digits; the numbers must match within this.
 */
const SEED_TOLERANCE = 2e-6;
/** The seed page's PyTorch output as numpy printed it (../shared/seed/InstanceNorm1d.zh.md). */
const SEED_TORCH_PRINTED = '[[[ 1.5064616e+00 -9.0387678e-01 -9.0387678e-01  3.0129281e-01]\n  [-5.3444624e-01 -1.0688924e+00  3.2054459e-08  1.6033382e+00]]]';

const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };
/** Fresh screenshots every run, beside the build (the README shows copies in docs/site/screenshots). */
const SCREENSHOTS = join(__dirname, '..', '..', 'build', 'site-screenshots');

const mapping = loadMapping();
const entry1d = mappingEntry('InstanceNorm1d');
let site: string;
let browser: Browser;
/** Console errors and warnings, uncaught page errors and network requests, from every page opened. */
const problems: string[] = [];

beforeAll(async () => {
  // The bundle of the source under test (npm run build makes the same; a stale one would hide a change).
  await buildSiteAssets();
  site = mkdtempSync(join(tmpdir(), 'site-'));
  const io = capture();
  expect(await main(['site', '--out', site], io)).toBe(0);
  browser = await chromium.launch({ executablePath: findChromium(), args: ['--no-sandbox'] });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (site) rmSync(site, { recursive: true, force: true });
});

async function open(path: string, viewport = DESKTOP): Promise<Page> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`${path}: console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`${path}: ${e.message}`));
  page.on('request', (r) => {
    if (!r.url().startsWith('file:')) problems.push(`${path}: requested ${r.url()}`);
  });
  await context.route(/^(?!file:)/, (route) => route.abort());
  await page.goto(fileUrl(path));
  return page;
}

/** The numbers an output panel prints, in order. */
async function numbers(page: Page, testId: string): Promise<number[]> {
  const text = (await page.getByTestId(testId).textContent()) ?? '';
  return (text.match(/[-+]?(?:\d+\.?\d*(?:e[-+]?\d+)?|nan|inf)/gi) ?? []).map(Number);
}

const maxDiff = (a: readonly number[], b: readonly number[]) => {
  expect(a).toHaveLength(b.length);
  return Math.max(...a.map((v, i) => Math.abs(v - b[i])));
};

const normalized = (text: string) => text.replace(/\s+/g, ' ');

const text = async (page: Page, testId: string) => (await page.getByTestId(testId).textContent()) ?? '';
const verdictOf = (page: Page) => page.getByTestId('verdict').getAttribute('data-verdict');
const fileUrl = (path: string) => pathToFileURL(join(site, path)).href;

/** Follows a link and waits for the page it opens. */
async function follow(page: Page, click: () => Promise<void>): Promise<void> {
  await Promise.all([page.waitForEvent('load'), click()]);
}

const pagePath = (lang: string, api: string) => `api_mapping/${lang}/${api}.html`;

describe('the site in Chromium', () => {
  it('the page script is one classic script: no module syntax, worker, fetch or dynamic import', () => {
    expect(readSiteAssets().script).not.toMatch(/\bfetch\(|\bnew Worker\b|\bimportScripts\b|\bimport\(|^import |^export /m);
  });

  it('the index lists every pair of mapping.json and filters as you type', async () => {
    const page = await open('index.html');
    const pairs = page.getByTestId('pair');
    expect(await pairs.evaluateAll((items) => items.map((i) => i.getAttribute('data-api')))).toEqual(mapping.entries.map((e) => e.api));
    const visible = () => page.locator('[data-testid="pair"]:visible').evaluateAll((items) => items.map((i) => i.getAttribute('data-api')));
    await page.getByTestId('pair-filter').pressSequentially('instancenorm2');
    expect(await visible()).toEqual(['InstanceNorm2d']);
    expect(await text(page, 'pair-count')).toBe(`1 of ${mapping.entries.length} pairs`);
    await page.getByTestId('pair-filter').fill('gamma_init');
    expect(await visible()).toEqual(mapping.entries.map((e) => e.api));
    await page.getByTestId('pair-filter').fill('BatchNorm5d');
    expect(await visible()).toEqual([]);
    expect(await page.getByTestId('no-match').isVisible()).toBe(true);
    await page.getByTestId('pair-filter').fill('');
    await follow(page, () => page.getByRole('link', { name: 'InstanceNorm1d', exact: true }).click());
    expect(page.url()).toBe(fileUrl(pagePath('en', 'InstanceNorm1d')));
    await page.context().close();
  });

  it("the InstanceNorm1d zh page shows the seed page's table and example, highlighted, with the upstream links", async () => {
    const page = await open(pagePath('zh', 'InstanceNorm1d'));
    expect(await page.locator('h1').textContent()).toBe('比较与torch.nn.InstanceNorm1d的差异');
    const cells = await page.locator('article table').first().locator('tbody tr').evaluateAll((rows) => rows.map((r) => Array.from(r.querySelectorAll('td'), (td) => td.textContent)));
    expect(cells).toEqual(differenceTable(entry1d, 'zh').rows);
    // The seed's rows, as the published page has them.
    expect(cells.find((r) => r[2] === 'track_running_stats')?.slice(1, 4)).toEqual(['参数5', 'track_running_stats', '-']);
    expect(cells.find((r) => r[3] === 'gamma_init')?.slice(1, 4)).toEqual(['参数6', '-', 'gamma_init']);
    const code = normalized((await page.locator('code.language-python').textContent()) ?? '');
    for (const line of SEED_CODE) expect(code).toContain(normalized(line));
    expect(await page.locator('code.language-python .hljs-keyword').count()).toBeGreaterThan(3);
    expect(await page.locator(`a[href="${entry1d.torch.docs}"]`).count()).toBeGreaterThan(0);
    expect(await page.locator(`a[href="${(entry1d.mindspore.docs as { zh: string }).zh}"]`).count()).toBeGreaterThan(0);
    await page.context().close();
  });

  it("the playground computes the seed page's numbers with the example's arguments, with the wasm kernel", async () => {
    const page = await open(pagePath('zh', 'InstanceNorm1d'));
    // The torch facade computes ATen's float32 steps, so it prints the page's PyTorch digits exactly
    // (real PyTorch printed them); MindSpore's (cuDNN on GPU) agree to float32 rounding.
    expect(await text(page, 'torch-output')).toBe(SEED_TORCH_PRINTED);
    expect(maxDiff(await numbers(page, 'mindspore-output'), PUBLISHED.mindspore)).toBeLessThanOrEqual(SEED_TOLERANCE);
    expect(await verdictOf(page)).toBe('exact');
    expect(await text(page, 'kernel')).toMatch(/wasm-simd/);

    // 600 elements take the wasm kernel (the JS one serves inputs below 128); the float64 reference is the oracle.
    const values = Array.from({ length: 600 }, (_, i) => Math.sin(i * 0.37) * 3 + (i % 7));
    await page.getByTestId('input-tensor').fill(JSON.stringify([[values.slice(0, 300), values.slice(300)]]));
    const reference = instanceNormReference(Tensor.from([[values.slice(0, 300), values.slice(300)]], { dtype: 'float32' }), { eps: 1e-5 }).y;
    const got = await numbers(page, 'torch-output');
    const expected = Array.from({ length: 600 }, (_, i) => reference.item(i));
    got.forEach((v, i) => expect(Math.abs(v - expected[i])).toBeLessThanOrEqual(2e-6 + 2e-6 * Math.abs(expected[i])));
    expect(got).toHaveLength(600);
    await page.context().close();
  });

  it("MindSpore's affine/gamma_init change its output and the verdict; gamma_init takes 2 and 'ones'", async () => {
    const page = await open(pagePath('en', 'InstanceNorm1d'));
    const torchOut = await numbers(page, 'torch-output');
    await page.getByTestId('mindspore-arg-affine').fill('True');
    await page.getByTestId('mindspore-arg-gamma_init').fill('2');
    const scaled = await numbers(page, 'mindspore-output');
    expect(maxDiff(scaled, torchOut.map((v) => 2 * v))).toBeLessThanOrEqual(2 * SEED_TOLERANCE);
    expect(await page.getByTestId('mindspore-output').locator('.differs').count()).toBeGreaterThan(0);
    expect(await verdictOf(page)).toBe('differs');
    expect(await text(page, 'verdict')).toContain('gamma_init');
    expect(await text(page, 'verdict')).toContain('needs weights');
    await page.getByTestId('mindspore-arg-gamma_init').fill("'ones'");
    expect(maxDiff(await numbers(page, 'mindspore-output'), torchOut)).toBeLessThanOrEqual(SEED_TOLERANCE);
    await page.getByTestId('mindspore-arg-affine').fill('False');
    expect(await verdictOf(page)).toBe('exact');
    await page.context().close();
  });

  it("a BatchNorm page: the example's outputs, the momentum convention in the verdict, eval with the moving statistics", async () => {
    const page = await open(pagePath('en', 'BatchNorm1d'));
    const bn = mappingEntry('BatchNorm1d').example!;
    // The example trains on its batch: both facades' outputs are the page's PyTorch numbers to float32 rounding.
    expect(maxDiff(await numbers(page, 'torch-output'), (bn.torch.published as number[][]).flat())).toBeLessThanOrEqual(SEED_TOLERANCE);
    expect(maxDiff(await numbers(page, 'mindspore-output'), (bn.torch.published as number[][]).flat())).toBeLessThanOrEqual(SEED_TOLERANCE);
    // momentum 0.1 in PyTorch is 0.9 in MindSpore (mapping.json: momentum written as 1 - value).
    expect(await verdictOf(page)).toBe('exact');
    await page.getByTestId('mindspore-arg-momentum').fill('0.1');
    expect(await verdictOf(page)).toBe('differs');
    expect(await text(page, 'verdict')).toContain('momentum');
    await page.getByTestId('mindspore-arg-momentum').fill('0.9');
    expect(await verdictOf(page)).toBe('exact');
    // In eval, both normalize with the initial running statistics (0 and 1): y = x / sqrt(1 + eps).
    await page.getByTestId('mode').selectOption('eval');
    const x = (bn.input as number[][]).flat();
    for (const panel of ['torch-output', 'mindspore-output']) {
      expect(maxDiff(await numbers(page, panel), x.map((v) => v / Math.sqrt(1 + 1e-5)))).toBeLessThanOrEqual(SEED_TOLERANCE);
    }
    await page.context().close();
  });

  it("a bad argument or input shows the facade's own error text in the output panel", async () => {
    const page = await open(pagePath('en', 'InstanceNorm1d'));
    const facadeError = (fn: () => unknown) => {
      const err = thrown(fn);
      return `${err.name}: ${err.message}`;
    };
    await page.getByTestId('torch-arg-eps').fill('-1');
    expect(await text(page, 'torch-output')).toBe(facadeError(() => new torch.nn.InstanceNorm1d({ num_features: 2, eps: -1 })));
    expect(await text(page, 'torch-output')).toMatch(/^ValueError: /);
    await page.getByTestId('mindspore-arg-momentum').fill('2');
    expect(await text(page, 'mindspore-output')).toBe(facadeError(() => new mindspore.nn.InstanceNorm1d({ num_features: 2, affine: false, momentum: 2 })));
    await page.getByTestId('mindspore-arg-gamma_init').fill('ones');
    expect(await text(page, 'mindspore-output')).toBe("NameError: name 'ones' is not defined");
    await page.getByTestId('reset').click();
    await page.getByTestId('input-tensor').fill('[0.7, 0.5, 0.5, 0.6]');
    const input = Tensor.from([0.7, 0.5, 0.5, 0.6]);
    expect(await text(page, 'torch-output')).toBe(facadeError(() => new torch.nn.InstanceNorm1d(2).forward(input)));
    expect(await text(page, 'mindspore-output')).toBe(facadeError(() => new mindspore.nn.InstanceNorm1d(2, { affine: false }).construct(input)));
    await page.getByTestId('input-tensor').fill('[[[0.7, 0.5], [0.5]]]');
    expect(await text(page, 'torch-output')).toMatch(/^ValueError: .*expected sequence of length 2/);
    await page.getByTestId('reset').click();
    expect(await verdictOf(page)).toBe('exact');
    await page.context().close();
  });

  it('switches between zh and en, on the pages and on the index', async () => {
    const page = await open(pagePath('zh', 'InstanceNorm1d'));
    await follow(page, () => page.getByTestId('lang-switch').click());
    expect(page.url()).toBe(fileUrl(pagePath('en', 'InstanceNorm1d')));
    expect(await page.locator('h1').textContent()).toBe('Differences with torch.nn.InstanceNorm1d');
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    expect(await verdictOf(page)).toBe('exact');
    await follow(page, () => page.getByTestId('lang-switch').click());
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
    await page.goto(fileUrl('index.html'));
    await follow(page, () => page.getByTestId('lang-switch').click());
    expect(page.url()).toBe(fileUrl('index.zh.html'));
    expect(await text(page, 'pair-count')).toBe(`共 ${mapping.entries.length} 对，显示 ${mapping.entries.length} 对`);
    await follow(page, () => page.getByRole('link', { name: 'InstanceNorm3d', exact: true }).click());
    expect(await page.locator('h1').textContent()).toBe('比较与torch.nn.InstanceNorm3d的差异');
    await page.context().close();
  });

  it('writes screenshots of the index and a pair page, desktop and phone width', async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    const index = await open('index.html');
    await index.screenshot({ path: join(SCREENSHOTS, 'index-desktop.png') });
    await index.context().close();
    for (const [name, viewport] of [['desktop', DESKTOP], ['phone', PHONE]] as const) {
      const page = await open(pagePath('zh', 'InstanceNorm1d'), viewport);
      await page.getByTestId('mindspore-arg-gamma_init').fill('2');
      await page.getByTestId('mindspore-arg-gamma_init').blur(); // no caret or focus ring: the same pixels every run
      // The playground's box in page coordinates (the fill scrolled it into view).
      const clip = await page.locator('#playground').evaluate((el) => {
        const r = el.getBoundingClientRect();
        return { x: r.left + window.scrollX, y: r.top + window.scrollY, width: r.width, height: r.height };
      });
      await page.screenshot({ path: join(SCREENSHOTS, `playground-zh-${name}.png`), fullPage: true, clip });
      await page.context().close();
    }
  });

  it('logged no console error or warning and requested nothing from the network', () => {
    expect(problems).toEqual([]);
  });
});
