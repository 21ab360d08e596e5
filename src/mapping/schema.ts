/**
 * The zod schema of mapping.json: the parameter-difference tables of PyTorch's and MindSpore's
 * normalization layers, as data. The file holds one row set per layer family (InstanceNorm,
 * BatchNorm, ...) with small per-class overrides; parsing expands it into one entry per pair of
 * classes, which is what the docs, the conformance tests and the porting rules read. One schema
 * gives the TypeScript types, the validation of the file (errors name the family, class and field)
 * and the JSON Schema for editors (docs/mapping.schema.json).
 */
import { z } from 'zod';
import { parseExpression } from './expression';

import { FRAMEWORKS } from '../families/types';

export { FRAMEWORKS };

/** A layer class name as both frameworks spell it (`InstanceNorm1d`); the families list them. */
const apiName = z.string().regex(/^[A-Z][A-Za-z0-9]*$/);
const framework = z.enum(FRAMEWORKS);

/** Text in English, optionally in Chinese too. */
const textSchema = z.object({ en: z.string().min(1), zh: z.string().min(1).optional() });
/** Text that every generated page shows, so both languages are required. */
const pageText = z.object({ en: z.string().min(1), zh: z.string().min(1) });

/** A JSON value as the facades take it (numbers, bools, strings, null). */
const scalar = z.union([z.number(), z.boolean(), z.string(), z.null()]);

const nested: z.ZodType<unknown> = z.lazy(() => z.union([z.number(), z.array(nested)]));

// ---------------------------------------------------------------- signatures

const argumentSchema = z.object({
  name: z.string().regex(/^[a-z_][a-z0-9_]*$/),
  /** The default as the framework's docs print it (Python source text); absent = required. */
  default: z.string().optional(),
});

const signatureBase = z.object({
  /** Qualified name, e.g. `torch.nn.InstanceNorm1d`. */
  name: z.string(),
  /** The framework version the signature is taken from. */
  version: z.string(),
  /** Arguments in positional order. */
  args: z.array(argumentSchema).min(1),
  /** The name of the call's input tensor (`input`, `x`). */
  input: z.string(),
  returns: z.string(),
});

const torchSignatureSchema = signatureBase.extend({ docs: z.url() });
const mindsporeSignatureSchema = signatureBase.extend({ docs: z.object({ zh: z.url(), en: z.url() }) });

// ---------------------------------------------------------------- claims

/** Which values the constructor accepts (null: not applicable to that framework). */
const acceptsCase = z.object({ value: scalar, torch: z.boolean().nullable(), mindspore: z.boolean().nullable() });

/** A machine-checkable statement about one row, checked against both facades by tests/conformance. */
export const claimSchema = z.discriminatedUnion('kind', [
  /** Both frameworks require the argument (no default). */
  z.object({ kind: z.literal('required') }),
  /** The defaults (as facade values); a framework without the argument is left out. */
  z.object({ kind: z.literal('default'), torch: scalar.optional(), mindspore: scalar.optional() }),
  /** Only one framework has the argument; `value` is one it accepts. */
  z.object({ kind: z.literal('onlyIn'), framework, value: scalar }),
  /**
   * Which values each framework accepts: at construction, or (`at: 'call'`) once constructed and
   * run on an input in training mode, for checks a framework makes only at the first call.
   */
  z.object({ kind: z.literal('accepts'), at: z.literal('call').optional(), cases: z.array(acceptsCase).min(1) }),
  /** The parameters that train, given constructor keywords. */
  z.object({
    kind: z.literal('trainableParameters'),
    args: z.record(z.string(), scalar),
    torch: z.array(z.string()),
    mindspore: z.array(z.string()),
  }),
  /**
   * Which statistics a layer built with `args` normalizes with in a mode, after training steps:
   * the input's own ('input') or the running/moving ones ('running').
   */
  z.object({
    kind: z.literal('usesStatistics'),
    cases: z.array(z.object({ framework, args: z.record(z.string(), scalar), mode: z.enum(['train', 'eval']), uses: z.enum(['input', 'running']) })).min(1),
  }),
  /**
   * A MindSpore initializer argument: its parameter, the PyTorch tensor's fixed start value, and
   * (scale and shift) whether it applies with affine=False.
   */
  z.object({
    kind: z.literal('initializer'),
    role: z.enum(['scale', 'shift', 'runningMean', 'runningVar']),
    mindsporeParameter: z.string(),
    torchParameter: z.string(),
    identity: z.number(),
    appliedWhenAffineFalse: z.boolean().optional(),
  }),
  /**
   * Layers built with these arguments end the same training steps with the same running
   * statistics (torch running_mean/running_var, MindSpore moving_mean/moving_variance), to float32
   * rounding: the proof of a porting rule that changes a value (momentum: 1 - value).
   */
  z.object({ kind: z.literal('runningStatsAgree'), torch: z.record(z.string(), scalar), mindspore: z.record(z.string(), scalar) }),
  /** The input ranks each framework accepts. */
  z.object({ kind: z.literal('inputRanks'), torch: z.array(z.number().int().positive()).min(1), mindspore: z.array(z.number().int().positive()).min(1) }),
]);

// ---------------------------------------------------------------- porting rules

/** A condition on an argument's value as written in Python source. */
const predicateSchema = z.union([
  /** The value is one of these literals (numbers compare numerically, as Python's ==). */
  z.object({
    is: z.array(scalar).min(1),
    /** Strings compare case-insensitively (MindSpore's initializer names: 'Ones' is 'ones'). */
    ignoreCase: z.boolean().optional(),
  }),
  /** The value is a (dotted) name whose last part is one of these: `torch.float32`, `mstype.float32`. */
  z.object({ name: z.array(z.string()).min(1) }),
  /** The value is a number outside the range. */
  z.object({
    outside: z.object({
      min: z.number().optional(),
      max: z.number().optional(),
      minExclusive: z.boolean().optional(),
      maxExclusive: z.boolean().optional(),
    }),
  }),
]);

/**
 * keep: same text under the target's name; keepAsFloat: int literals get `.0`; drop; write this
 * Python text; or compute the target's value from the source's (`1 - value`: a number is written as
 * the result, any other expression as the formula around it).
 */
const writeSchema = z.union([
  z.enum(['keep', 'keepAsFloat', 'drop']),
  z.object({ text: z.string().min(1) }),
  z.object({
    expr: z.string().superRefine((text, ctx) => {
      try {
        parseExpression(text);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
      }
    }),
  }),
]);
const verdictSchema = z.enum(['exact', 'differs', 'needs weights']);

const portCaseSchema = z.object({
  /** Absent: always. */
  when: predicateSchema.optional(),
  /** What to pass to the target framework. */
  write: writeSchema,
  verdict: verdictSchema,
  /** What cannot be kept ({arg} and {value} are filled in). */
  reason: textSchema.optional(),
  /** What to tell the user. */
  fix: textSchema.optional(),
  /** Other target arguments this case sets (name -> Python text), e.g. affine=True. */
  set: z.record(z.string(), z.string()).optional(),
});

const portDirectionSchema = z.object({
  /** When the source call passes the argument: the first case that matches. */
  given: z.array(portCaseSchema),
  /** When the source call leaves it at its default. */
  absent: portCaseSchema.optional(),
  /** When the value is an expression the rules cannot evaluate; default: carry it over, verdict 'differs'. */
  unknown: portCaseSchema.optional(),
  /** Advice that is not about an argument (input shapes). */
  note: textSchema.optional(),
});

// ---------------------------------------------------------------- rows and entries

export const KINDS = ['same', 'default differs', 'torch only', 'MindSpore only', 'input differs'] as const;

/** A row as a family writes it: the 参数N numbering is derived from the order, not written. */
const familyRowSchema = z.object({
  category: z.enum(['参数', '输入']),
  torch: z.string().nullable(),
  mindspore: z.string().nullable(),
  kind: z.enum(KINDS),
  difference: pageText,
  porting: z.object({ toMindspore: portDirectionSchema, toTorch: portDirectionSchema }),
  claims: z.array(claimSchema).min(1),
});
type FamilyRow = z.output<typeof familyRowSchema>;

/** A row of one pair's table, as the pages print it: with its 参数N or 单输入. */
export type MappingRow = FamilyRow & { subcategory: string };

/** Where a row is inconsistent in itself; `at` prefixes each issue's path. */
function rowIssues(row: FamilyRow, at: PropertyKey[], report: (path: PropertyKey[], message: string) => void): void {
  if (row.torch === null && row.mindspore === null) report([...at, 'torch'], 'a row needs a torch or a MindSpore name');
  const expected = row.torch === null ? 'MindSpore only' : row.mindspore === null ? 'torch only' : undefined;
  if (expected && row.kind !== expected) report([...at, 'kind'], `a row with one name only must be '${expected}'`);
  for (const [dir, target] of [['toMindspore', row.mindspore], ['toTorch', row.torch]] as const) {
    const cases = [...row.porting[dir].given, ...(row.porting[dir].absent ? [row.porting[dir].absent] : [])];
    cases.forEach((c) => {
      if (target === null && c.write !== 'drop') report([...at, 'porting', dir], `writes an argument the target framework does not have (write: ${JSON.stringify(c.write)})`);
    });
    const source = dir === 'toMindspore' ? row.torch : row.mindspore;
    const given = row.porting[dir].given;
    if (row.category === '参数' && source !== null && (given.length === 0 || given[given.length - 1].when !== undefined)) {
      report([...at, 'porting', dir, 'given'], 'needs a last case without `when` (what to do with any other value)');
    }
  }
}

/** The key a class override uses for a row: its torch name, else its MindSpore name. */
export const rowKey = (row: { torch: string | null; mindspore: string | null }): string => (row.torch ?? row.mindspore) as string;

const frameworkExample = z.object({
  /** Constructor keywords, as in the published Python code. */
  kwargs: z.record(z.string(), z.unknown()),
  /** Whether the published code runs the layer in training mode. */
  train: z.boolean(),
  /** The output printed on the published page, where there is one. */
  published: nested.optional(),
});

const exampleSchema = z.object({
  source: z.string(),
  input: nested,
  torch: frameworkExample,
  mindspore: frameworkExample,
  /** The `>` note above the code. */
  note: pageText.optional(),
});

const descriptionSchema = z.object({ zh: z.object({ torch: z.string(), mindspore: z.string() }), en: z.object({ torch: z.string(), mindspore: z.string() }) });

/** One pair of classes (`torch.nn.X` and `mindspore.nn.X`), expanded from its family. */
export interface MappingEntry {
  api: string;
  /** The family the pair belongs to (`InstanceNorm`). */
  family: string;
  torch: z.output<typeof torchSignatureSchema>;
  mindspore: z.output<typeof mindsporeSignatureSchema>;
  /** The 差异对比 paragraphs. */
  description: z.output<typeof descriptionSchema>;
  rows: MappingRow[];
  example?: Example;
  /** The child cell that holds the MindSpore Parameters, where there is one (see the class schema). */
  mindsporeChild?: string;
}

/** Every argument of both signatures has exactly one row, and every row names a real argument. */
function entryIssues(entry: MappingEntry, rowPath: (row: MappingRow) => PropertyKey[], at: PropertyKey[], report: (path: PropertyKey[], message: string) => void): void {
  for (const fw of FRAMEWORKS) {
    const args = entry[fw].args.map((a) => a.name);
    const named: string[] = [];
    for (const row of entry.rows) {
      const n = row[fw];
      if (row.category !== '参数' || n === null) continue;
      if (!args.includes(n)) report([...rowPath(row), fw], `'${n}' is not an argument of ${entry[fw].name}`);
      if (named.includes(n)) report([...rowPath(row), fw], `'${n}' has two rows`);
      named.push(n);
    }
    for (const a of args) if (!named.includes(a)) report([...at, fw, 'args'], `no row for ${fw} argument '${a}'`);
  }
}

/**
 * How each PyTorch state tensor corresponds to a MindSpore Parameter. MindSpore names a top-level
 * cell's moving statistics `mean`/`variance` (explicit Parameter names) but a nested cell's
 * `<prefix>.moving_mean`/`<prefix>.moving_variance` (attribute paths).
 */
const stateTensorSchema = z.object({
  torch: z.string(),
  /** The MindSpore name under a prefix (the attribute), or null where MindSpore has no counterpart. */
  mindspore: z.string().nullable(),
  /** The MindSpore name of a cell that is not nested (its Parameter.name). */
  mindsporeTopLevel: z.string().nullable(),
  /** The PyTorch option that makes the tensor exist. */
  torchWhen: z.string(),
  /** The value that changes nothing (and that each framework initializes it to). */
  identity: z.number(),
});

/** Where a facade deliberately behaves unlike its framework. */
const decisionSchema = z.object({
  id: z.string().regex(/^[a-z0-9-]+$/),
  facade: framework,
  /** The entry of the facade's own list this records (torch: STRICTER_THAN_PYTORCH's `argument`). */
  argument: z.string().optional(),
  topic: z.string(),
  /** What the framework does. */
  framework: textSchema,
  /** What the facade does instead, and why. */
  facadeBehaviour: textSchema,
  /** Constructor calls (keywords beside num_features) whose outcome in the facade shows the decision; checked by tests/conformance. */
  evidence: z.array(z.object({ facade: framework, args: z.record(z.string(), scalar), outcome: z.enum(['ok', 'TypeError', 'ValueError']) })),
});

/**
 * Where an older release of MindSpore behaves differently from the release the facade mirrors
 * (`mindsporeRelease`) in a way a porting user would hit; shown on every page and in the index.
 */
const versionNoteSchema = z.object({
  id: z.string().regex(/^[a-z0-9-]+$/),
  topic: pageText,
  /** The releases that behave differently, as read at their tags (e.g. "2.5.0 and older"). */
  releases: pageText,
  /** What the mirrored release does. */
  mirrored: pageText,
  /** What those releases do instead. */
  older: pageText,
  /** Where both are read, as `path@tag:line`. */
  sources: z.array(z.string().regex(/^[\w./-]+@v\d+\.\d+\.\d+:\d+(-\d+)?$/)).min(2),
  /** The families whose pages show the note; absent: every page (the note is about Cell, Parameter or loading). */
  families: z.array(z.string()).min(1).optional(),
});

/** Where the generated pages depart from the published (seed) pages, and why. */
const erratumSchema = z.object({
  id: z.string().regex(/^[a-z0-9.-]+$/),
  apis: z.array(apiName).min(1),
  langs: z.array(z.enum(['zh', 'en'])).min(1),
  part: z.enum(['title', 'torch signature', 'mindspore signature', 'description', 'row', 'example']),
  /** The row concerned (part 'row'), by its two names. */
  row: z.object({ torch: z.string().nullable(), mindspore: z.string().nullable() }).optional(),
  /** What the published page says ('' for something it lacks). */
  seed: z.string(),
  why: textSchema,
});

const signatureOverride = z.object({ args: z.array(argumentSchema).min(1) });

/** One class of a family, with what it changes: its own text variables, rows, arguments, example. */
const layerClassSchema = z.object({
  api: apiName,
  /** Values for the family's `{{name}}` placeholders (`{{api}}` is the class name). */
  vars: z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9]*$/), z.union([z.string(), z.number()])).optional(),
  /** Changed fields of the family's rows, by row key (torch name, else MindSpore name); null drops the row. */
  rows: z.record(z.string(), familyRowSchema.partial().nullable()).optional(),
  /** A signature whose arguments differ from the family's. */
  torch: signatureOverride.optional(),
  mindspore: signatureOverride.optional(),
  example: exampleSchema.optional(),
  /**
   * The child cell that holds the MindSpore class's Parameters (BatchNorm3d keeps them in a
   * BatchNorm2d named `bn2d`), so their names are `<prefix>.<child>.<name>` (top level: `<child>.<name>`).
   */
  mindsporeChild: z.string().regex(/^[a-z_][a-z0-9_]*$/).optional(),
});

const stateSchema = z.object({ source: z.string(), tensors: z.array(stateTensorSchema).min(1) });

/** One layer family: its rows and signatures once, its classes with their differences. */
const familySchema = z.object({
  family: z.string().regex(/^[A-Z][A-Za-z]*$/),
  /** How each PyTorch state tensor corresponds to a MindSpore Parameter. */
  state: stateSchema,
  /** Signatures with `{{api}}` (and other class variables) in their names and links. */
  torch: torchSignatureSchema,
  mindspore: mindsporeSignatureSchema,
  description: descriptionSchema,
  rows: z.array(familyRowSchema).min(1),
  classes: z.array(layerClassSchema).min(1),
});

type FamilyFile = z.output<typeof familySchema>;
type Report = (path: PropertyKey[], message: string) => void;

/** `{{name}}` -> the class's value, in every string of `value`. */
function fillVars<T>(value: T, vars: Record<string, string | number>, at: PropertyKey[], report: Report): T {
  const fill = (v: unknown, path: PropertyKey[]): unknown => {
    if (typeof v === 'string') {
      return v.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => {
        if (name in vars) return String(vars[name]);
        report(path, `'{{${name}}}' has no value in class ${String(vars.api)}`);
        return whole;
      });
    }
    if (Array.isArray(v)) return v.map((x, i) => fill(x, [...path, i]));
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fill(x, [...path, k])]));
    return v;
  };
  return fill(value, at) as T;
}

/** One entry per class: the family's rows with the class's overrides, numbered 参数1..N, variables filled in. */
function expandFamily(family: FamilyFile, f: number, report: Report): MappingEntry[] {
  return family.classes.map((cls, c) => {
    const at = ['families', f, 'classes', c];
    const vars = { ...cls.vars, api: cls.api };
    for (const key of Object.keys(cls.rows ?? {})) {
      if (!family.rows.some((r) => rowKey(r) === key)) report([...at, 'rows', key], `the family has no row '${key}'`);
    }
    const placed: [FamilyRow, PropertyKey[]][] = [];
    family.rows.forEach((row, r) => {
      const override = cls.rows?.[rowKey(row)];
      if (override === null) return;
      placed.push(override ? [{ ...row, ...override }, [...at, 'rows', rowKey(row)]] : [row, ['families', f, 'rows', r]]);
    });
    let parameter = 0;
    const rows: MappingRow[] = placed.map(([row, path]) => {
      if (path[2] === 'classes') rowIssues(row, path, report);
      const { category, ...rest } = row;
      return fillVars({ category, subcategory: category === '参数' ? `参数${++parameter}` : '单输入', ...rest }, vars, path, report);
    });
    const paths = new Map(rows.map((row, i) => [row, placed[i][1]]));
    const signature = <S extends { args: unknown }>(sig: S, own: { args: S['args'] } | undefined, fw: string): S =>
      fillVars({ ...sig, ...(own ? { args: own.args } : {}) }, vars, own ? [...at, fw] : ['families', f, fw], report);
    const entry: MappingEntry = {
      api: cls.api,
      family: family.family,
      torch: signature(family.torch, cls.torch, 'torch'),
      mindspore: signature(family.mindspore, cls.mindspore, 'mindspore'),
      description: fillVars(family.description, vars, ['families', f, 'description'], report),
      rows,
      ...(cls.example ? { example: cls.example } : {}),
      ...(cls.mindsporeChild ? { mindsporeChild: cls.mindsporeChild } : {}),
    };
    entryIssues(entry, (row) => paths.get(row) ?? at, at, report);
    return entry;
  });
}

const mappingFileSchema = z.object({
  $schema: z.string().optional(),
  /** The MindSpore release the facade and the pages follow, e.g. "2.6.0"; every signature names it. */
  mindsporeRelease: z.string().regex(/^\d+\.\d+\.\d+$/),
  families: z.array(familySchema).min(1),
  decisions: z.array(decisionSchema),
  versionNotes: z.array(versionNoteSchema),
  errata: z.array(erratumSchema),
});

/** mapping.json parsed, checked and expanded: `entries` has one pair per class of every family. */
export const mappingSchema = mappingFileSchema.transform((file, ctx) => {
  const report: Report = (path, message) => ctx.addIssue({ code: 'custom', path, message, input: file });
  file.families.forEach((family, f) => {
    family.rows.forEach((row, r) => rowIssues(row, ['families', f, 'rows', r], report));
    const torchArgs = family.torch.args.map((a) => a.name);
    family.state.tensors.forEach((t, i) => {
      if (!torchArgs.includes(t.torchWhen)) report(['families', f, 'state', 'tensors', i, 'torchWhen'], `'${t.torchWhen}' is not an argument of the family's torch signature`);
    });
  });
  const entries = file.families.flatMap((family, f) => expandFamily(family, f, report));
  const tag = `r${file.mindsporeRelease}`;
  // The signatures and their API links name the mirrored release (r2.6.0), not another.
  file.families.forEach((family, f) => {
    if (family.mindspore.version !== tag) report(['families', f, 'mindspore', 'version'], `expected '${tag}' (mindsporeRelease), got '${family.mindspore.version}'`);
    for (const lang of ['zh', 'en'] as const) {
      if (!family.mindspore.docs[lang].includes(`/${tag}/`)) report(['families', f, 'mindspore', 'docs', lang], `the link must name ${tag} (mindsporeRelease)`);
    }
  });
  const apis = entries.map((e) => e.api);
  apis.forEach((api, i) => {
    if (apis.indexOf(api) !== i) report(['families'], `class '${api}' is listed twice`);
  });
  const familyNames = file.families.map((f) => f.family);
  file.versionNotes.forEach((n, i) => {
    n.families?.forEach((name, j) => {
      if (!familyNames.includes(name)) report(['versionNotes', i, 'families', j], `no family '${name}'`);
    });
  });
  file.errata.forEach((e, i) => {
    if ((e.part === 'row') !== (e.row !== undefined)) report(['errata', i, 'row'], "a 'row' erratum names its row, others do not");
    e.apis.forEach((api, j) => {
      if (!apis.includes(api)) report(['errata', i, 'apis', j], `no family has a class '${api}'`);
    });
  });
  // Decisions, version notes and errata share one id space; the issue points at the later holder of an id.
  const holders = [
    ...file.decisions.map((d, i) => ['decisions', i, d.id] as const),
    ...file.versionNotes.map((n, i) => ['versionNotes', i, n.id] as const),
    ...file.errata.map((e, i) => ['errata', i, e.id] as const),
  ];
  holders.forEach(([list, i, id], at) => {
    const first = holders.findIndex((h) => h[2] === id);
    if (first !== at) report([list, i, 'id'], `duplicate id '${id}' (also ${holders[first][0]}[${holders[first][1]}])`);
  });
  const families = file.families.map((family) => ({ family: family.family, state: family.state, classes: family.classes.map((c) => c.api) }));
  return { mindsporeRelease: file.mindsporeRelease, families, entries, decisions: file.decisions, versionNotes: file.versionNotes, errata: file.errata };
});

/** The file as written (what the JSON Schema describes). */
export { mappingFileSchema };

/** Names for the parts the JSON Schema defines once and refers to (`#/$defs/Row`). */
export const schemaNames = z.registry<{ id: string }>();
for (const [schema, id] of [
  [familySchema, 'Family'],
  [layerClassSchema, 'LayerClass'],
  [familyRowSchema, 'Row'],
  [claimSchema, 'Claim'],
  [portDirectionSchema, 'PortDirection'],
  [portCaseSchema, 'PortCase'],
  [argumentSchema, 'Argument'],
  [exampleSchema, 'Example'],
  [nested, 'NestedNumbers'],
] as const) {
  schemaNames.add(schema, { id });
}

export type Mapping = z.output<typeof mappingSchema>;
export type MappingFamily = Mapping['families'][number];
export type Claim = z.output<typeof claimSchema>;
export type PortCase = z.output<typeof portCaseSchema>;
export type PortDirection = z.output<typeof portDirectionSchema>;
export type Predicate = z.output<typeof predicateSchema>;
export type Example = z.output<typeof exampleSchema>;
export type StateTensor = z.output<typeof stateTensorSchema>;
export type Decision = z.output<typeof decisionSchema>;
export type VersionNote = z.output<typeof versionNoteSchema>;
export type Erratum = z.output<typeof erratumSchema>;
export type Text = z.output<typeof textSchema>;
