/**
 * `npm start -- --json` prints only JSON, and the package installs anywhere: `npm pack`, then
 * `npm install <tarball>` in an empty project with no .npmrc and none of npm's or
 * onnxruntime-node's environment variables, reaching nothing but the npm registry
 * (--prefer-offline: what npm ci already fetched comes from its cache). It must not
 * pull in onnxruntime-node (whose install script downloads CUDA binaries from nuget on Linux x64)
 * or a second protobufjs; the API and every command but the onnxruntime ones work, those say how
 * to add it, and after adding it as the README says, compare runs.
 */
import { execFileSync, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanEnv } from './env';

const ROOT = join(__dirname, '..', '..');
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
jest.setTimeout(300_000);

let work: string;
let project: string;
let tarball: string;
const env = cleanEnv();

function run(command: string, args: string[], cwd = project): SpawnSyncReturns<string> {
  return spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout: 240_000 });
}
/** The installed command line, as `npx instancenorm-shim ...` runs it. */
const shim = (...args: string[]) => run(join(project, 'node_modules', '.bin', 'instancenorm-shim'), args);
const installed = (...path: string[]) => join(project, 'node_modules', ...path);

// In this file, not beside it: `npm pack` below rebuilds dist/, which `npm start` runs.
describe('in the checkout', () => {
  test("npm start -- --json (as the README types it) prints only the JSON: the .npmrc's json=true puts npm's banner on stderr", () => {
    const start = run('npm', ['start', '--', '--json'], ROOT);
    expect(start.status).toBe(0);
    expect(JSON.parse(start.stdout)).toMatchObject({ layer: 'InstanceNorm1d', ok: true });
    expect(start.stderr).toContain('> instancenorm-shim@');
  });
});

describe('npm install <tarball> in an empty project', () => {
  let install: SpawnSyncReturns<string>;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'pack-install-'));
    // npm pack runs `prepare` (the build), so the tarball holds what the sources build
    const pack = run('npm', ['pack', '--pack-destination', work], ROOT);
    if (pack.status !== 0) throw new Error(`npm pack failed:\n${pack.stderr}`);
    tarball = join(work, readdirSync(work).find((f) => f.endsWith('.tgz'))!);
    project = join(work, 'project');
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
    install = run('npm', ['install', tarball, '--prefer-offline', '--no-audit', '--no-fund']);
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  test('succeeds, without onnxruntime-node, onnx-proto or a second protobufjs; LICENSE and the exports map ship', () => {
    expect([install.status, install.stderr]).toEqual([0, expect.any(String)]);
    expect(existsSync(join(project, '.npmrc'))).toBe(false);
    expect(existsSync(installed('instancenorm-shim', 'dist', 'index.js'))).toBe(true);
    expect(existsSync(installed('onnxruntime-node'))).toBe(false);
    expect(existsSync(installed('onnx-proto'))).toBe(false);
    const protobufs = execFileSync('find', [installed(), '-name', 'package.json', '-path', '*/protobufjs/package.json', '-not', '-path', '*/node_modules/protobufjs/*/*'], { encoding: 'utf8' }).trim().split('\n');
    expect(protobufs).toEqual([installed('protobufjs', 'package.json')]);
    expect(existsSync(installed('instancenorm-shim', 'LICENSE'))).toBe(true);
    const manifest = JSON.parse(readFileSync(installed('instancenorm-shim', 'package.json'), 'utf8'));
    expect(manifest.exports['.']).toEqual({ types: './dist/index.d.ts', default: './dist/index.js' });
    expect(manifest.peerDependenciesMeta).toEqual({ 'onnxruntime-node': { optional: true } });
  });

  test('the API works from CommonJS and from an ES module', () => {
    const code = "const { Tensor, torch } = require('instancenorm-shim'); const m = new torch.nn.InstanceNorm1d(2); console.log(JSON.stringify(m.forward(Tensor.from([[[1, 2, 4], [0, 0, 3]]])).shape))";
    expect(run('node', ['-e', code]).stdout.trim()).toBe('[1,2,3]');
    const esm = "import { Tensor, mindspore } from 'instancenorm-shim'; console.log(new mindspore.nn.InstanceNorm1d(2).construct(Tensor.from([[[1, 2, 4], [0, 0, 3]]])).shape.join(','));";
    const r = run('node', ['--input-type=module', '-e', esm]);
    expect([r.stderr, r.stdout.trim()]).toEqual(['', '1,2,3']);
  });

  test('its types compile through the exports map without onnxruntime-node (skipLibCheck off)', () => {
    writeFileSync(join(project, 'use.ts'), "import { Tensor, torch, convertStateDict, type ConversionReport } from 'instancenorm-shim';\nconst m = new torch.nn.InstanceNorm1d(2);\nconst y: Tensor = m.forward(Tensor.from([[[1, 2, 4]]]));\nexport const r: ConversionReport | number = y.size;\nexport { convertStateDict };\n");
    const options = { noEmit: true, strict: true, skipLibCheck: false, module: 'nodenext', moduleResolution: 'nodenext', types: [] };
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({ compilerOptions: options, files: ['use.ts'] }));
    const tsc = run('node', [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json']);
    expect([tsc.status, tsc.stdout]).toEqual([0, '']);
  });

  test('the command line: --version, convert, port; docs writes to the current directory, not into node_modules', () => {
    expect(shim('--version').stdout).toBe(`${VERSION}\n`);
    const converted = shim('convert', join(ROOT, 'tests', 'fixtures', 'formats', 'model.pt'), 'model.ckpt', '--layer', 'enc.norm1:InstanceNorm1d');
    expect([converted.status, converted.stdout]).toEqual([0, expect.stringContaining('wrote model.ckpt (mindspore, 11 tensors)')]);
    expect(shim('port', 'nn.InstanceNorm1d(64, affine=True)', '--to', 'mindspore').stdout).toBe('nn.InstanceNorm1d(64, affine=True)\n# exact\n');
    const before = readdirSync(installed('instancenorm-shim', 'docs'), { recursive: true }).length;
    const docs = shim('docs');
    expect(docs.status).toBe(0);
    expect(readdirSync(project).sort()).toEqual(expect.arrayContaining(['api_mapping', 'api_mapping.json', 'mapping.schema.json']));
    expect(readdirSync(installed('instancenorm-shim', 'docs'), { recursive: true }).length).toBe(before);
    expect(shim('docs', '--check').status).toBe(0);
  });

  test('compare and export --verify say how to add onnxruntime-node; export without --verify works', () => {
    for (const args of [['compare'], [], ['export', '--framework', 'torch', '--layer', 'InstanceNorm1d', '--config', '{"num_features": 2}', '--shape', '1,2,4', '--out', 'm.onnx', '--verify']]) {
      const r = shim(...args);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain('runs the model in onnxruntime-node, which is not installed (it is an optional peer dependency of instancenorm-shim). Add it with: npm install onnxruntime-node --onnxruntime-node-install=skip');
    }
    expect(existsSync(join(project, 'm.onnx'))).toBe(false);
    expect(shim('export', '--framework', 'torch', '--layer', 'InstanceNorm1d', '--config', '{"num_features": 2}', '--shape', '1,2,4', '--out', 'm.onnx').status).toBe(0);
    const verify = run('node', ['-e', "require('instancenorm-shim').verifyOnnx(new (require('instancenorm-shim').torch.nn.InstanceNorm1d)(2), new Uint8Array()).catch((e) => { console.log(e.name + ': ' + e.message); })"]);
    expect(verify.stdout).toMatch(/^MissingOnnxRuntimeError: verifyOnnx runs the model in onnxruntime-node/);
  });

  test('after `npm install onnxruntime-node --onnxruntime-node-install=skip` (the CPU binaries ship in it), compare runs', () => {
    const ort = run('npm', ['install', 'onnxruntime-node@1.30.0', '--onnxruntime-node-install=skip', '--prefer-offline', '--no-audit', '--no-fund']);
    expect([ort.status, ort.stderr]).toEqual([0, expect.any(String)]);
    const compare = shim('compare', '--json');
    expect(compare.status).toBe(0);
    expect(JSON.parse(compare.stdout).ok).toBe(true);
  });
});
