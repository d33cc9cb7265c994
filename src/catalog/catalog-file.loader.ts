import { readFileSync } from 'node:fs';
import { Document, LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { CatalogFileError, CatalogProblem } from './catalog-file.error';
import { CatalogIssue, checkReferences, FieldPath } from './catalog-references';
import { CatalogDocument, catalogSchema } from './catalog.schema';

/**
 * Reads and validates a catalogue file (YAML or JSON); throws `CatalogFileError`. Synchronous:
 * a catalogue is small and read once by a command.
 */
export function loadCatalogFile(path: string): CatalogDocument {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new CatalogFileError(path, [{ path: '', message: `cannot read the file (${reason})` }]);
  }
  return parseCatalogText(text, path);
}

/**
 * Validates catalogue text. JSON is parsed as YAML (of which it is a subset), so both get line
 * numbers for every problem. `file` only labels the messages.
 */
export function parseCatalogText(text: string, file: string): CatalogDocument {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const problems = doc.errors.map((e) => ({
      path: '',
      message: e.message,
      line: lines.linePos(e.pos[0]).line,
    }));
    throw new CatalogFileError(file, problems);
  }

  const data: unknown = doc.toJS() ?? {};
  const parsed = catalogSchema.safeParse(data);
  const issues = parsed.success ? checkReferences(parsed.data) : schemaIssues(parsed.error, data);
  if (!parsed.success || issues.length > 0) {
    throw new CatalogFileError(
      file,
      issues.map((i) => locate(i, doc, lines)),
    );
  }
  return parsed.data;
}

function schemaIssues(error: z.ZodError, data: unknown): CatalogIssue[] {
  return error.issues.flatMap((issue): CatalogIssue[] => {
    const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: [...path, key], message: 'unknown field' }));
    }
    if (issue.code === 'invalid_type') {
      const value = valueAt(data, path);
      if (value === undefined) return [{ path, message: 'is required' }];
      return [{ path, message: `must be ${article(issue.expected)}, not ${describe(value)}` }];
    }
    return [{ path, message: issue.message }];
  });
}

/** The line of the closest node that exists: a missing field points at its parent object. */
function locate(issue: CatalogIssue, doc: Document, lines: LineCounter): CatalogProblem {
  const problem: CatalogProblem = { path: formatPath(issue.path), message: issue.message };
  for (let n = issue.path.length; n >= 0; n--) {
    const node = doc.getIn(issue.path.slice(0, n), true) as { range?: [number, number, number] };
    if (node?.range) return { ...problem, line: lines.linePos(node.range[0]).line };
  }
  return problem;
}

/** `components[3].parent` */
export function formatPath(path: FieldPath): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

function valueAt(data: unknown, path: FieldPath): unknown {
  let value = data;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string | number, unknown>)[key];
  }
  return value;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${JSON.stringify(value)}`;
}

function article(expected: string): string {
  const named: Record<string, string> = { array: 'a list', object: 'an object' };
  return named[expected] ?? `a ${expected}`;
}
