/**
 * The README's `## MindSpore facade` example runs as written and prints what its comments say.
 */
import { readFileSync } from 'fs';
import { join } from 'path';
import ts from 'typescript';
import * as shim from '../../src';

describe('README: MindSpore facade example', () => {
  it('runs and prints the shapes and names its comments show', () => {
    const readme = readFileSync(join(__dirname, '../../README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## MindSpore facade'));
    const code = /```ts\n([\s\S]*?)```/.exec(section)![1];
    const js = ts.transpileModule(code, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
    const printed: unknown[][] = [];
    const console = { log: (...args: unknown[]) => printed.push(args) };
    const require = (name: string) => {
      if (name !== 'instancenorm-shim') throw new Error(`unexpected import ${name}`);
      return shim;
    };
    new Function('require', 'exports', 'console', js)(require, {}, console);
    expect(printed).toEqual([
      [[2, 3, 4, 4], ['mean', 'variance', 'gamma', 'beta']],
      [['norm1.moving_mean', 'norm1.moving_variance', 'norm1.gamma', 'norm1.beta']],
      [[]],
    ]);
  });
});
