import type { SqlDialect } from './sql-dialect';

/**
 * Collects the parameters of one statement in the order their placeholders are written, which
 * is what SQLite's positional `?` needs. `bind` a value once per place it appears.
 */
export class SqlParams {
  readonly values: unknown[] = [];

  constructor(private readonly dialect: SqlDialect) {}

  /** Records `value` and returns its placeholder. */
  bind(value: unknown): string {
    this.values.push(value);
    return this.dialect.param(this.values.length - 1);
  }

  /** Placeholders for `IN (...)`; an empty list is the caller's problem (invalid SQL). */
  list(values: readonly unknown[]): string {
    return values.map((v) => this.bind(v)).join(', ');
  }
}
