/**
 * The README's `## MindSpore facade` example runs as written and prints what its comments say.
 */
import { readFileSync } from 'fs';
import { join } from 'path';
import ts from 'typescript';
import * as shim from '../../src';

/** Runs the first ts block after `heading`, with `prelude` before it; returns what it logged. */
function runExample(heading: string, prelude = ''): unknown[][] {
  const readme = readFileSync(join(__dirname, '../../README.md'), 'utf8');
  const section = readme.slice(readme.indexOf(heading));
  const code = prelude + /```ts\n([\s\S]*?)```/.exec(section)![1];
  const js = ts.transpileModule(code, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
  const printed: unknown[][] = [];
  const console = { log: (...args: unknown[]) => printed.push(args) };
  const require = (name: string) => {
    if (name !== 'instancenorm-shim') throw new Error(`unexpected import ${name}`);
    return shim;
  };
  new Function('require', 'exports', 'console', js)(require, {}, console);
  return printed;
}

describe('README: MindSpore facade example', () => {
  it('runs and prints the shapes and names its comments show', () => {
    expect(runExample('## MindSpore facade')).toEqual([
      [[2, 3, 4, 4], ['mean', 'variance', 'gamma', 'beta']],
      [['norm1.moving_mean', 'norm1.moving_variance', 'norm1.gamma', 'norm1.beta']],
      [[]],
    ]);
  });

  it('BatchNorm: prints the stored momentum, the moving statistics and the bn2d names its comments show', () => {
    // The snippet continues the section's first one, whose imports it uses.
    const printed = runExample('### MindSpore BatchNorm1d/2d/3d', "import { Tensor, mindspore } from 'instancenorm-shim';\nconst { nn } = mindspore;\n");
    expect(printed).toEqual([[0.09999999999999998], ['[0.1]', '[1.1]'], [['bn2d.moving_mean', 'bn2d.moving_variance', 'bn2d.gamma', 'bn2d.beta']]]);
  });
});
