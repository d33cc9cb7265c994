import { z } from 'zod';

const name = z.string().min(1, 'must not be empty').max(255, 'must be at most 255 characters');

/** Relative to ScriptRoot, and staying inside it: the monitor runs whatever this points at. */
const scriptPath = z
  .string()
  .min(1, 'must not be empty')
  .max(1024, 'must be at most 1024 characters')
  .refine((p) => !/^([/\\]|[A-Za-z]:)/.test(p), 'must be relative to ScriptRoot')
  .refine((p) => !p.split(/[/\\]/).includes('..'), "must not contain '..'");

const project = z.strictObject({
  name,
  description: z.string().optional(),
  components: z.array(name).default([]),
});

const environment = z.strictObject({
  name,
  isProd: z.boolean(),
  ownerEmail: z.string().max(255, 'must be at most 255 characters').optional(),
});

const script = z.strictObject({
  name,
  path: scriptPath,
  nonProdOnly: z.boolean().default(false),
});

const component = z.strictObject({
  name,
  parent: name.optional(),
  enabled: z.boolean().default(true),
  stopOnFailure: z.boolean().default(false),
  script: name.optional(),
  type: z.string().max(64, 'must be at most 64 characters').optional(),
});

/** A catalogue file: what the monitor may deploy, and where. Every list is optional. */
export const catalogSchema = z.strictObject({
  projects: z.array(project).default([]),
  environments: z.array(environment).default([]),
  scripts: z.array(script).default([]),
  components: z.array(component).default([]),
});

export type CatalogDocument = z.infer<typeof catalogSchema>;
export type CatalogProject = CatalogDocument['projects'][number];
export type CatalogEnvironment = CatalogDocument['environments'][number];
export type CatalogScript = CatalogDocument['scripts'][number];
export type CatalogComponent = CatalogDocument['components'][number];
