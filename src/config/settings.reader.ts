import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { findKey, isJsonObject, JsonObject } from './json-tree';

/** Bounds of a numeric setting, inclusive unless named `above`. */
export interface NumberBounds {
  integer?: boolean;
  min?: number;
  max?: number;
  above?: number;
}

/** A TCP port. */
export const PORT: NumberBounds = { integer: true, min: 1, max: 65535 };

export interface StringRules {
  maxLength?: number;
}

/** Values of these keys are never quoted in a problem. */
const SENSITIVE_KEY = /password|secret|token|connectionstring/i;
const NUMERIC_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

// Configuration values are text in .NET: booleans and numbers may arrive as strings.
const booleanInput = z.union([
  z.boolean(),
  z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.enum(['true', 'false']))
    .transform((text) => text === 'true'),
]);
const numberInput = z.union([z.number(), z.string().trim().regex(NUMERIC_TEXT).transform(Number)]);
const stringInput = z.union([z.string(), z.number().transform(String)]);
const httpUrlInput = z.string().pipe(z.url({ protocol: /^https?$/ }));

/**
 * Typed, case-insensitive access to the raw settings tree. Paths are PascalCase and relative to
 * `AppSettings`, except those starting with `ConnectionStrings`. A value that is absent (missing,
 * null or blank) yields the fallback; a bad value records a problem and yields the fallback too,
 * so that reading goes on and every problem is reported at once.
 */
export class SettingsReader {
  private readonly failedPaths = new Set<string>();

  constructor(
    private readonly root: JsonObject,
    readonly problems: string[],
  ) {}

  boolean(path: string, fallback: boolean): boolean {
    return this.parse(path, booleanInput, 'expected true or false') ?? fallback;
  }

  number(path: string, fallback: number, bounds: NumberBounds): number {
    const schema = numberInput.pipe(boundedNumber(bounds));
    return this.parse(path, schema, `expected ${describeBounds(bounds)}`) ?? fallback;
  }

  /** One of `options`, matched ignoring case and returned as spelled in `options`. */
  choice<T extends string>(path: string, options: readonly T[], fallback: T): T {
    const byLowerCase = new Map(options.map((option) => [option.toLowerCase(), option]));
    const lowerCase = z.enum([...byLowerCase.keys()]);
    const schema = z.string().trim().toLowerCase().pipe(lowerCase);
    const parsed = this.parse(path, schema, `expected one of ${options.join(', ')}`);
    return (parsed === undefined ? undefined : byLowerCase.get(parsed)) ?? fallback;
  }

  /** A string with a default; present but blank, or longer than allowed, is a problem. */
  string(path: string, fallback: string, rules: StringRules = {}): string {
    const value = this.lookup(path);
    if (typeof value === 'string' && value.trim() === '') {
      this.problem(path, 'must not be empty');
      return fallback;
    }
    const text = this.parse(path, stringInput, 'expected a string') ?? fallback;
    if (rules.maxLength !== undefined && text.length > rules.maxLength) {
      this.problem(path, `must be at most ${rules.maxLength} characters`);
    }
    return text;
  }

  /** A string without a default: absent or blank gives undefined. */
  optionalString(path: string): string | undefined {
    return this.parse(path, stringInput, 'expected a string');
  }

  httpUrl(path: string): string | undefined {
    return this.parse(path, httpUrlInput, 'expected an http or https URL');
  }

  /** A file that must exist, resolved against `cwd`. */
  existingFile(path: string, cwd: string): string | undefined {
    const name = this.optionalString(path);
    if (name === undefined) return undefined;
    const absolute = resolve(cwd, name);
    if (isFile(absolute)) return absolute;
    this.problem(path, `file not found: ${absolute}`);
    return undefined;
  }

  /** Records `reason` when `value` is missing, unless the key already has a problem. */
  require(path: string, value: unknown, reason: string): void {
    if (value === undefined && !this.failed(path)) this.problem(path, reason);
  }

  problem(path: string, reason: string): void {
    this.failedPaths.add(path);
    this.problems.push(`${path}: ${reason}`);
  }

  failed(path: string): boolean {
    return this.failedPaths.has(path);
  }

  private parse<T>(path: string, schema: z.ZodType<T>, expected: string): T | undefined {
    const value = this.lookup(path);
    if (value === undefined || (typeof value === 'string' && value.trim() === '')) return undefined;

    const result = schema.safeParse(value);
    if (result.success) return result.data;
    const got = SENSITIVE_KEY.test(lastSegment(path)) ? '' : `, got ${describeValue(value)}`;
    this.problem(path, `${expected}${got}`);
    return undefined;
  }

  private lookup(path: string): unknown {
    const segments = path.split('.');
    const base = segments[0] === 'ConnectionStrings' ? [] : ['AppSettings'];
    const full = [...base, ...segments];
    let node: unknown = this.root;
    for (const [depth, segment] of full.entries()) {
      if (!isJsonObject(node)) return this.notAnObject(full.slice(0, depth), base.length, node);
      const key = findKey(node, segment);
      if (key === undefined) return undefined;
      node = node[key];
    }
    return node ?? undefined;
  }

  /** A section that is not an object would silently hide its keys: say so, once. */
  private notAnObject(walked: string[], baseLength: number, node: unknown): undefined {
    const path = (walked.length > baseLength ? walked.slice(baseLength) : walked).join('.');
    const blank = node === null || node === '';
    if (!blank && !this.failed(path)) this.problem(path, 'expected an object');
    return undefined;
  }
}

function boundedNumber(bounds: NumberBounds): z.ZodNumber {
  let schema = bounds.integer ? z.number().int() : z.number();
  if (bounds.min !== undefined) schema = schema.gte(bounds.min);
  if (bounds.max !== undefined) schema = schema.lte(bounds.max);
  if (bounds.above !== undefined) schema = schema.gt(bounds.above);
  return schema;
}

function describeBounds(bounds: NumberBounds): string {
  const kind = bounds.integer ? 'an integer' : 'a number';
  if (bounds.min !== undefined && bounds.max !== undefined) {
    return `${kind} from ${bounds.min} to ${bounds.max}`;
  }
  if (bounds.min !== undefined) return `${kind} >= ${bounds.min}`;
  if (bounds.above !== undefined) return `${kind} > ${bounds.above}`;
  return kind;
}

/** Only scalars are quoted: an object in the wrong place may hold secrets. */
function describeValue(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}..."` : text;
}

function lastSegment(path: string): string {
  return path.slice(path.lastIndexOf('.') + 1);
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
