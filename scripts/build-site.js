// Bundles the site's page script (src/site/browser/main.ts: the index filter and the playground,
// with the facades, the core and its wasm kernel inlined) and its stylesheet into
// dist/site/assets, where `instancenorm-shim site` copies them from. Run by `npm run build`.
// The script is one classic IIFE: pages opened from file:// may not load ES modules or workers.
const fs = require('fs');
const path = require('path');
const esbuild = require('esbuild');

const root = path.join(__dirname, '..');
const browser = path.join(root, 'src', 'site', 'browser');
const OUT_DIR = path.join(root, 'dist', 'site', 'assets');

/**
 * node:fs and node:path (src/mapping/load.ts reads mapping.json with them) resolve to stubs in
 * the page, any other Node module is an error, and zod's locales are cut to the English ones.
 */
const pageStubs = {
  name: 'page-stubs',
  setup(build) {
    build.onResolve({ filter: /^node:(fs|path)$/ }, () => ({ path: path.join(browser, 'node-stubs.ts') }));
    build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) => (/[/\\]zod[/\\]/.test(args.importer) ? { path: path.join(browser, 'zod-locales.ts') } : undefined));
    build.onResolve({ filter: /^node:/ }, (args) => ({ errors: [{ text: `${args.path} is not available in the page bundle (imported by ${path.relative(root, args.importer)})` }] }));
  },
};

/** Each output goes to a temporary file that is renamed over the old one: a reader never sees half a bundle. */
function writeAtomic(file) {
  fs.mkdirSync(path.dirname(file.path), { recursive: true });
  const temp = `${file.path}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(temp, file.contents);
    fs.renameSync(temp, file.path);
  } finally {
    fs.rmSync(temp, { force: true });
  }
}

async function buildSiteAssets(outDir = OUT_DIR) {
  const common = { bundle: true, minify: true, logLevel: 'warning', absWorkingDir: root, legalComments: 'eof', write: false };
  const script = await esbuild.build({
    ...common,
    entryPoints: [path.join(browser, 'main.ts')],
    outfile: path.join(outDir, 'site.js'),
    format: 'iife',
    platform: 'browser',
    target: ['chrome100', 'firefox100', 'safari15'],
    // The facades name their classes in messages (`InstanceNorm1d(): ...`): minifying must keep names.
    keepNames: true,
    inject: [path.join(browser, 'buffer-shim.ts')],
    define: { __dirname: '"."' },
    // Tensor.toOrt's lazy require; the page never converts to onnxruntime tensors.
    external: ['onnxruntime-node'],
    plugins: [pageStubs],
  });
  const css = await esbuild.build({ ...common, entryPoints: [path.join(browser, 'site.css')], outfile: path.join(outDir, 'site.css') });
  for (const file of [...script.outputFiles, ...css.outputFiles]) writeAtomic(file);
  return { outDir, scriptBytes: script.outputFiles[0].contents.length };
}

module.exports = { buildSiteAssets, OUT_DIR };

if (require.main === module) {
  buildSiteAssets().then(
    ({ outDir, scriptBytes }) => console.log(`site bundle: ${scriptBytes} bytes -> ${path.relative(root, outDir)}/site.js, site.css`),
    (err) => {
      console.error(err.message);
      process.exitCode = 1;
    },
  );
}
