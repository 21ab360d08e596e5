/**
 * The zod schema of mapping.json: the parameter-difference tables of the PyTorch and MindSpore
 * InstanceNorm layers, as data. One schema gives the TypeScript types, the validation of the
 * file (errors name the entry and field) and the JSON Schema for editors (docs/mapping.schema.json).
 */
import { z } from 'zod';

export const API_NAMES = ['InstanceNorm1d', 'InstanceNorm2d', 'InstanceNorm3d'] as const;
export const FRAMEWORKS = ['torch', 'mindspore'] as const;

const apiName = z.enum(API_NAMES);
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
  z.object({ kind: z.literal('accepts'), cases: z.array(acceptsCase).min(1) }),
  /** The parameters that train, given constructor keywords. */
  z.object({
    kind: z.literal('trainableParameters'),
    args: z.record(z.string(), scalar),
    torch: z.array(z.string()),
    mindspore: z.array(z.string()),
  }),
  /** Whether, after training steps, eval mode normalizes with running statistics (torch: with track_running_stats=True). */
  z.object({ kind: z.literal('trackRunningStats'), torchEvalUsesRunningStats: z.boolean(), mindsporeEvalUsesRunningStats: z.boolean() }),
  /** A MindSpore initializer argument: its parameter, the PyTorch parameter's fixed start value, and whether it applies with affine=False. */
  z.object({
    kind: z.literal('initializer'),
    role: z.enum(['scale', 'shift']),
    mindsporeParameter: z.string(),
    torchParameter: z.string(),
    identity: z.number(),
    appliedWhenAffineFalse: z.boolean(),
  }),
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

/** keep: same text under the target's name; keepAsFloat: int literals get `.0`; drop; or write this Python text. */
const writeSchema = z.union([z.enum(['keep', 'keepAsFloat', 'drop']), z.object({ text: z.string().min(1) })]);
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

const rowSchema = z
  .object({
    category: z.enum(['参数', '输入']),
    /** 参数1..N or 单输入, as on the published pages. */
    subcategory: z.string().regex(/^(参数[1-9][0-9]*|单输入)$/),
    torch: z.string().nullable(),
    mindspore: z.string().nullable(),
    kind: z.enum(KINDS),
    difference: pageText,
    porting: z.object({ toMindspore: portDirectionSchema, toTorch: portDirectionSchema }),
    claims: z.array(claimSchema).min(1),
  })
  .superRefine((row, ctx) => {
    if (row.torch === null && row.mindspore === null) ctx.addIssue({ code: 'custom', path: ['torch'], message: 'a row needs a torch or a MindSpore name' });
    const expected = row.torch === null ? 'MindSpore only' : row.mindspore === null ? 'torch only' : undefined;
    if (expected && row.kind !== expected) ctx.addIssue({ code: 'custom', path: ['kind'], message: `a row with one name only must be '${expected}'` });
    if ((row.category === '输入') !== (row.subcategory === '单输入')) ctx.addIssue({ code: 'custom', path: ['subcategory'], message: `'${row.subcategory}' does not belong to category '${row.category}'` });
    for (const [dir, target] of [['toMindspore', row.mindspore], ['toTorch', row.torch]] as const) {
      const cases = [...row.porting[dir].given, ...(row.porting[dir].absent ? [row.porting[dir].absent] : [])];
      cases.forEach((c) => {
        if (target === null && c.write !== 'drop') ctx.addIssue({ code: 'custom', path: ['porting', dir], message: `writes an argument the target framework does not have (write: ${JSON.stringify(c.write)})` });
      });
      const source = dir === 'toMindspore' ? row.torch : row.mindspore;
      const given = row.porting[dir].given;
      if (row.category === '参数' && source !== null && (given.length === 0 || given[given.length - 1].when !== undefined)) {
        ctx.addIssue({ code: 'custom', path: ['porting', dir, 'given'], message: 'needs a last case without `when` (what to do with any other value)' });
      }
    }
  });

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

const entrySchema = z
  .object({
    api: apiName,
    torch: torchSignatureSchema,
    mindspore: mindsporeSignatureSchema,
    /** The 差异对比 paragraphs. */
    description: z.object({ zh: z.object({ torch: z.string(), mindspore: z.string() }), en: z.object({ torch: z.string(), mindspore: z.string() }) }),
    rows: z.array(rowSchema).min(1),
    example: exampleSchema.optional(),
  })
  .superRefine((entry, ctx) => {
    // Every argument of both signatures has exactly one row, and every row names a real argument.
    for (const fw of FRAMEWORKS) {
      const args = entry[fw].args.map((a) => a.name);
      const named: string[] = [];
      entry.rows.forEach((row, i) => {
        const n = row[fw];
        if (row.category !== '参数' || n === null) return;
        if (!args.includes(n)) ctx.addIssue({ code: 'custom', path: ['rows', i, fw], message: `'${n}' is not an argument of ${entry[fw].name}` });
        if (named.includes(n)) ctx.addIssue({ code: 'custom', path: ['rows', i, fw], message: `'${n}' has two rows` });
        named.push(n);
      });
      for (const a of args) if (!named.includes(a)) ctx.addIssue({ code: 'custom', path: [fw, 'args'], message: `no row for ${fw} argument '${a}'` });
    }
    const params = entry.rows.filter((r) => r.category === '参数');
    params.forEach((r, i) => {
      if (r.subcategory !== `参数${i + 1}`) ctx.addIssue({ code: 'custom', path: ['rows', entry.rows.indexOf(r), 'subcategory'], message: `expected 参数${i + 1}, got ${r.subcategory}` });
    });
  });

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
  torchWhen: z.enum(['affine', 'track_running_stats']),
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

export const mappingSchema = z
  .object({
    $schema: z.string().optional(),
    state: z.object({ source: z.string(), tensors: z.array(stateTensorSchema).min(1) }),
    /** The MindSpore release the facade and the pages follow, e.g. "2.6.0"; every entry's signature names it. */
    mindsporeRelease: z.string().regex(/^\d+\.\d+\.\d+$/),
    entries: z.array(entrySchema).min(1),
    decisions: z.array(decisionSchema),
    versionNotes: z.array(versionNoteSchema),
    errata: z.array(erratumSchema),
  })
  .superRefine((m, ctx) => {
    // The signatures and their API links name the mirrored release (r2.6.0), not another.
    m.entries.forEach((e, i) => {
      const tag = `r${m.mindsporeRelease}`;
      if (e.mindspore.version !== tag) ctx.addIssue({ code: 'custom', path: ['entries', i, 'mindspore', 'version'], message: `expected '${tag}' (mindsporeRelease), got '${e.mindspore.version}'` });
      for (const lang of ['zh', 'en'] as const) {
        if (!e.mindspore.docs[lang].includes(`/${tag}/`)) ctx.addIssue({ code: 'custom', path: ['entries', i, 'mindspore', 'docs', lang], message: `the link must name ${tag} (mindsporeRelease)` });
      }
    });
    m.errata.forEach((e, i) => {
      if ((e.part === 'row') !== (e.row !== undefined)) ctx.addIssue({ code: 'custom', path: ['errata', i, 'row'], message: "a 'row' erratum names its row, others do not" });
    });
    // Decisions, version notes and errata share one id space; the issue points at the later holder of an id.
    const holders = [
      ...m.decisions.map((d, i) => ['decisions', i, d.id] as const),
      ...m.versionNotes.map((n, i) => ['versionNotes', i, n.id] as const),
      ...m.errata.map((e, i) => ['errata', i, e.id] as const),
    ];
    holders.forEach(([list, i, id], at) => {
      const first = holders.findIndex((h) => h[2] === id);
      if (first !== at) ctx.addIssue({ code: 'custom', path: [list, i, 'id'], message: `duplicate id '${id}' (also ${holders[first][0]}[${holders[first][1]}])` });
    });
  });

export type Mapping = z.output<typeof mappingSchema>;
export type MappingEntry = z.output<typeof entrySchema>;
export type MappingRow = z.output<typeof rowSchema>;
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
