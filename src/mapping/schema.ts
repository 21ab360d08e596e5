/**
 * The zod schema of mapping.json: the parameter-difference tables of the PyTorch and MindSpore
 * InstanceNorm layers, as data. One schema gives the TypeScript types and the JSON Schema for editors.
 */
import { z } from 'zod';

const nested: z.ZodType<unknown> = z.lazy(() => z.union([z.number(), z.array(nested)]));

const frameworkExample = z.object({
  /** Constructor keywords, as in the published Python code. */
  kwargs: z.record(z.string(), z.unknown()),
  /** Whether the published code runs the layer in training mode. */
  train: z.boolean(),
  /** The output printed on the published page. */
  published: nested,
});

export const exampleSchema = z.object({
  source: z.string(),
  input: nested,
  torch: frameworkExample,
  mindspore: frameworkExample,
});

export const entrySchema = z.object({
  api: z.enum(['InstanceNorm1d', 'InstanceNorm2d', 'InstanceNorm3d']),
  example: exampleSchema.optional(),
});

/**
 * How each PyTorch state tensor corresponds to a MindSpore Parameter. MindSpore names a top-level
 * cell's moving statistics `mean`/`variance` (explicit Parameter names) but a nested cell's
 * `<prefix>.moving_mean`/`<prefix>.moving_variance` (attribute paths).
 */
export const stateTensorSchema = z.object({
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

export const mappingSchema = z.object({
  $schema: z.string().optional(),
  state: z.object({ source: z.string(), tensors: z.array(stateTensorSchema).min(1) }),
  entries: z.array(entrySchema).min(1),
});

export type Mapping = z.output<typeof mappingSchema>;
export type MappingEntry = z.output<typeof entrySchema>;
export type Example = z.output<typeof exampleSchema>;
export type StateTensor = z.output<typeof stateTensorSchema>;
