import type { CatalogComponent, CatalogDocument } from './catalog.schema';

export type FieldPath = Array<string | number>;

export interface CatalogIssue {
  path: FieldPath;
  message: string;
}

/**
 * Checks what the schema cannot: names are unique (ignoring case, as SQL Server compares them),
 * every reference points at something in the same file, and no component is its own ancestor.
 */
export function checkReferences(doc: CatalogDocument): CatalogIssue[] {
  return [
    ...duplicates(doc.projects, 'projects', 'project'),
    ...duplicates(doc.environments, 'environments', 'environment'),
    ...duplicates(doc.scripts, 'scripts', 'script'),
    ...duplicates(doc.components, 'components', 'component'),
    ...componentReferences(doc),
    ...projectReferences(doc),
    ...parentCycles(doc.components),
  ];
}

/** Components ordered so that every parent comes before its children (needs no cycles). */
export function parentsFirst(components: CatalogComponent[]): CatalogComponent[] {
  const byName = new Map(components.map((c) => [c.name, c]));
  const ordered: CatalogComponent[] = [];
  const placed = new Set<string>();
  const place = (c: CatalogComponent): void => {
    if (placed.has(c.name)) return;
    const parent = c.parent === undefined ? undefined : byName.get(c.parent);
    if (parent) place(parent);
    placed.add(c.name);
    ordered.push(c);
  };
  components.forEach(place);
  return ordered;
}

function duplicates(items: Array<{ name: string }>, list: string, kind: string): CatalogIssue[] {
  const first = new Map<string, number>();
  const issues: CatalogIssue[] = [];
  items.forEach((item, index) => {
    const key = item.name.toLowerCase();
    const earlier = first.get(key);
    if (earlier === undefined) {
      first.set(key, index);
      return;
    }
    const message = `duplicate ${kind} '${item.name}' (also at ${list}[${earlier}])`;
    issues.push({ path: [list, index, 'name'], message });
  });
  return issues;
}

function componentReferences(doc: CatalogDocument): CatalogIssue[] {
  const components = new Set(doc.components.map((c) => c.name));
  const scripts = new Set(doc.scripts.map((s) => s.name));
  const issues: CatalogIssue[] = [];
  doc.components.forEach((c, i) => {
    if (c.parent !== undefined && !components.has(c.parent)) {
      issues.push({
        path: ['components', i, 'parent'],
        message: `unknown component '${c.parent}'`,
      });
    }
    if (c.script !== undefined && !scripts.has(c.script)) {
      issues.push({ path: ['components', i, 'script'], message: `unknown script '${c.script}'` });
    }
  });
  return issues;
}

function projectReferences(doc: CatalogDocument): CatalogIssue[] {
  const components = new Set(doc.components.map((c) => c.name));
  const issues: CatalogIssue[] = [];
  doc.projects.forEach((p, i) => {
    p.components.forEach((name, j) => {
      if (components.has(name)) return;
      issues.push({
        path: ['projects', i, 'components', j],
        message: `unknown component '${name}'`,
      });
    });
  });
  return issues;
}

/** Each cycle is reported once, at its member that comes first in the file. */
function parentCycles(components: CatalogComponent[]): CatalogIssue[] {
  const index = new Map(components.map((c, i) => [c.name, i]));
  const issues: CatalogIssue[] = [];
  components.forEach((_, start) => {
    const chain: number[] = [];
    let current: number | undefined = start;
    while (current !== undefined && !chain.includes(current)) {
      chain.push(current);
      const parent: string | undefined = components[current].parent;
      current = parent === undefined ? undefined : index.get(parent);
    }
    if (current === undefined) return;
    const cycle = chain.slice(chain.indexOf(current));
    if (Math.min(...cycle) !== start) return;
    const names = [...cycle, start].map((i) => components[i].name).join(' -> ');
    issues.push({ path: ['components', start, 'parent'], message: `parent cycle ${names}` });
  });
  return issues;
}
