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

export const mappingSchema = z.object({
  $schema: z.string().optional(),
  entries: z.array(entrySchema).min(1),
});

export type Mapping = z.output<typeof mappingSchema>;
export type MappingEntry = z.output<typeof entrySchema>;
export type Example = z.output<typeof exampleSchema>;
