/**
 * `port`: rewrites the constructions of the registered layer classes (src/families) in Python code
 * for the other framework, driven by mapping.json's porting rules, and says per call how exact the
 * result is. Takes a file, a directory (every .py below it) or one call expression.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { ValueError } from '../../core/errors';
import { writeFileAtomic } from '../../io/atomic-write';
import { readText } from '../../io/with-path';
import { portExpression, portSource, type CallReport, type PortedSource } from '../../porting/python/rewrite';
import { PythonSyntaxError } from '../../porting/python/syntax';
import type { Framework } from '../../families';
import { classWords } from '../../porting/kinds';
import { frameworkOption } from '../options';
import { count, json, type Io } from '../output';
import type { Command } from './types';

/** Every .py file below `dir`, sorted; hidden folders, __pycache__ and `skip` are not entered. */
function pythonFiles(dir: string, skip?: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name.startsWith('.') || entry.name === '__pycache__' || (skip && resolve(path) === skip)) continue;
      out.push(...pythonFiles(path, skip));
    } else if (entry.isFile() && entry.name.endsWith('.py')) out.push(path);
  }
  return out;
}

function prefixed(mark: string, text: string): string[] {
  return text.split('\n').map((line) => `${mark} ${line}`);
}

/** One call as a diff hunk: `@@ line N: verdict @@`, the old and new text, then reasons and fixes. */
function callHunk(call: CallReport): string[] {
  const what = call.kind === 'call' ? call.api : `${call.api} (${call.kind === 'partial' ? 'functools.partial' : 'referenced, not called'})`;
  const lines = [`@@ line ${call.line}: ${what} ${call.from} -> ${call.to}: ${call.verdict} @@`];
  if (call.before === call.after) lines.push(...prefixed(' ', call.before));
  else lines.push(...prefixed('-', call.before), ...prefixed('+', call.after));
  lines.push(...call.reasons.map((r) => `  reason: ${r}`), ...call.fixes.map((f) => `  fix: ${f}`));
  return lines;
}

/** Each class's notes once per file (ten BatchNorm2d calls, one line): `note (BatchNorm2d): ...`. */
function classNotes(calls: readonly CallReport[]): string[] {
  const classes = new Map<string, Set<string>>();
  for (const c of calls) for (const n of c.notes) classes.set(n, (classes.get(n) ?? new Set()).add(c.api));
  return [...classes].map(([note, apis]) => `note (${[...apis].join(', ')}): ${note}`);
}

function fileReport(path: string, ported: PortedSource): string {
  const counts = new Map<string, number>();
  for (const c of ported.calls) counts.set(c.verdict, (counts.get(c.verdict) ?? 0) + 1);
  const tally = [...counts].map(([v, n]) => `${n} ${v}`).join(', ');
  const already = ported.alreadyTarget > 0 ? `; ${ported.alreadyTarget} already ${ported.to}` : '';
  const head = `${path} -> ${ported.to}: ${count(ported.calls.length, 'call')} to port${tally ? ` (${tally})` : ''}${already}`;
  const lines = [`--- ${path}`, `+++ ${path} (${ported.to})`, head];
  for (const i of ported.imports) {
    lines.push(`@@ line ${i.line}: import: ${i.note} @@`);
    if (i.before === i.after) lines.push(...prefixed(' ', i.before));
    else lines.push(...(i.before ? prefixed('-', i.before) : []), ...(i.after ? prefixed('+', i.after) : []));
  }
  for (const c of ported.calls) lines.push(...callHunk(c));
  lines.push(...classNotes(ported.calls));
  return lines.join('\n');
}

function fileJson(path: string, ported: PortedSource, written?: string) {
  return { path, to: ported.to, exact: ported.exact, alreadyTarget: ported.alreadyTarget, calls: ported.calls, imports: ported.imports, ...(written ? { written } : {}) };
}

/** A file ported as the command writes it: with a comment above every call that is not exact. */
function portPath(path: string, to: Framework, shown = path): PortedSource {
  return portSource(readText(path), { to, annotate: true, path: shown });
}

function portFile(path: string, to: Framework, out: string | undefined, asJson: boolean, io: Io): boolean {
  const ported = portPath(path, to);
  // --out may name the file to write or a directory to write it into.
  if (out && existsSync(out) && statSync(out).isDirectory()) out = join(out, basename(path));
  if (out) writeFileAtomic(out, ported.code, { createDirs: true });
  if (asJson) io.out(json({ ...fileJson(path, ported, out), code: ported.code }));
  else {
    io.out(fileReport(path, ported));
    io.out(out ? `\nwrote ${out}` : `\n# ---- ported ${path} ----\n${ported.code}`);
  }
  return ported.exact;
}

function portDirectory(dir: string, to: Framework, out: string | undefined, asJson: boolean, io: Io): boolean {
  const root = resolve(dir);
  if (out && resolve(out) === root) throw new ValueError(`argument '--out' must differ from the input directory (${dir}); port writes a ported copy`);
  const files = pythonFiles(dir, out ? resolve(out) : undefined);
  // Every file is ported before any is written: one that Python would refuse stops the run with nothing written.
  const refused: PythonSyntaxError[] = [];
  const results = files.flatMap((file) => {
    try {
      return [{ file, ported: portPath(file, to, relative(root, resolve(file))), written: undefined as string | undefined }];
    } catch (err) {
      if (!(err instanceof PythonSyntaxError)) throw err;
      refused.push(err);
      return [];
    }
  });
  if (refused.length === 1) throw refused[0];
  if (refused.length > 1) throw new ValueError(`${refused.length} files under ${dir} do not parse; nothing was written:\n${refused.map((e) => `  ${e.message}`).join('\n')}`);
  for (const r of results) {
    if (!out) continue;
    r.written = join(out, relative(root, resolve(r.file)));
    // A directory's port mirrors the input tree under --out.
    writeFileAtomic(r.written, r.ported.code, { createDirs: true });
  }
  const exact = results.every((r) => r.ported.exact);
  const calls = results.reduce((n, r) => n + r.ported.calls.length, 0);
  if (asJson) {
    io.out(json({ input: dir, to, out: out ?? null, exact, files: results.map((r) => fileJson(relative(root, resolve(r.file)), r.ported, r.written)) }));
    return exact;
  }
  for (const r of results.filter((x) => x.ported.calls.length > 0 || x.ported.imports.length > 0)) io.out(`${fileReport(relative(root, resolve(r.file)), r.ported)}\n`);
  const notExact = results.flatMap((r) => r.ported.calls).filter((c) => c.verdict !== 'exact').length;
  io.out(`${count(files.length, '.py file')}, ${count(calls, 'call')} ported to ${to}, ${notExact} not exact${out ? `; wrote ${count(files.length, 'file')} under ${out} (other files are not copied)` : ''}`);
  return exact;
}

function portOneCall(expression: string, to: Framework, asJson: boolean, io: Io): boolean {
  const call = portExpression(expression, to);
  if (asJson) io.out(json({ input: expression, to, after: call.after, exact: call.verdict === 'exact', verdict: call.verdict, reasons: call.reasons, fixes: call.fixes, notes: call.notes }));
  else {
    io.out(call.after);
    io.out(`# ${call.verdict}`);
    for (const r of call.reasons) io.out(`# reason: ${r}`);
    for (const f of call.fixes) io.out(`# fix: ${f}`);
    for (const n of call.notes) io.out(`# note: ${n}`);
  }
  return call.verdict === 'exact';
}

export const port: Command = {
  name: 'port',
  summary: `rewrite ${classWords()} calls in Python code for the other framework, with a verdict per call`,
  usage: 'port <file.py | dir | "python call expression"> --to mindspore|torch [--out PATH] [--json] [--check]',
  options: {
    to: { type: 'string', help: 'the framework to port to: mindspore or torch' },
    out: { type: 'string', help: 'write the ported file (or, for a directory, a ported copy of every .py) here' },
    json: { type: 'boolean', default: false, help: 'print the per-call report as JSON' },
    check: { type: 'boolean', default: false, help: 'exit 1 when any call is not exact' },
  },
  run({ values, positionals }, io: Io) {
    if (positionals.length !== 1) throw new ValueError(`port takes one input (a .py file, a directory or a call expression), but got ${positionals.length}`);
    const [input] = positionals;
    const to = frameworkOption(values.to, '--to');
    const out = values.out as string | undefined;
    const asJson = Boolean(values.json);
    let exact: boolean;
    if (existsSync(input) && statSync(input).isDirectory()) exact = portDirectory(input, to, out, asJson, io);
    else if (existsSync(input)) exact = portFile(input, to, out, asJson, io);
    else if (input.includes('(')) {
      if (out) throw new ValueError("argument '--out' is for a file or directory input, not a call expression");
      exact = portOneCall(input, to, asJson, io);
    } else throw new ValueError(`no such file or directory: '${input}' (a call expression must contain its parentheses)`);
    return values.check && !exact ? 1 : 0;
  },
};
