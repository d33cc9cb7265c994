/** One thing wrong with a catalogue, where it is. */
export interface CatalogProblem {
  /** Field path, e.g. `components[3].parent`; empty for the whole document. */
  path: string;
  message: string;
  /** 1-based line in the file, when known. */
  line?: number;
}

/** A catalogue file that cannot be applied; the message lists every problem, one per line. */
export class CatalogFileError extends Error {
  constructor(
    readonly file: string,
    readonly problems: CatalogProblem[],
  ) {
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    super([`${file}: ${count}`, ...problems.map((p) => formatProblem(file, p))].join('\n'));
    this.name = 'CatalogFileError';
  }
}

/** `catalog.yaml:12 components[3].parent: unknown component 'web'` */
export function formatProblem(file: string, problem: CatalogProblem): string {
  const where = problem.line === undefined ? file : `${file}:${problem.line}`;
  return `${where} ${problem.path || '(document)'}: ${problem.message}`;
}
