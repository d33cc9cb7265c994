import { DataSource, EntityManager, QueryResult, QueryRunner } from 'typeorm';
import type { DatabaseType } from '../config/settings';
import { SqlParams } from './sql-params';

/** Where a statement runs: a DataSource (own short-lived runner), a runner, or a manager. */
export type SqlExecutor = DataSource | QueryRunner | EntityManager;

/**
 * The pieces that differ between SQLite, PostgreSQL and SQL Server when hand-writing SQL for
 * `dataSource.query(sql, params)`: quoting, the `deploy` schema, placeholders, the database
 * clock, and how each driver reports the rows an UPDATE changed.
 *
 * SQLite placeholders are positional (`?`), so parameters must be passed in the order they
 * appear and a value used twice must be passed twice; `SqlParams` does that bookkeeping.
 */
export class SqlDialect {
  constructor(readonly type: DatabaseType) {}

  static of(dataSource: DataSource): SqlDialect {
    return new SqlDialect(SqlDialect.typeOf(dataSource));
  }

  static typeOf(dataSource: DataSource): DatabaseType {
    const type = dataSource.options.type;
    if (type === 'postgres' || type === 'mssql') return type;
    if (type === 'better-sqlite3') return 'sqlite';
    throw new Error(`Unsupported database type '${type}'`);
  }

  /** Quoted, schema-qualified table name (`deploy` on PostgreSQL and SQL Server). */
  table(name: string): string {
    if (this.type === 'sqlite') return this.col(name);
    return `${this.col('deploy')}.${this.col(name)}`;
  }

  /** Quoted identifier: a column, an alias or a schema. */
  col(name: string): string {
    if (this.type === 'mssql') return `[${name.replaceAll(']', ']]')}]`;
    return `"${name.replaceAll('"', '""')}"`;
  }

  /** Placeholder of the parameter at `index`, counting from 0 (`$1`, `@0` or `?`). */
  param(index: number): string {
    if (this.type === 'postgres') return `$${index + 1}`;
    if (this.type === 'mssql') return `@${index}`;
    return '?';
  }

  /**
   * A parameter collector for one statement: `const p = d.params(); ... p.bind(x) ... p.values`.
   */
  params(): SqlParams {
    return new SqlParams(this);
  }

  /** The DATABASE clock in epoch milliseconds as an integer expression: one clock for leases. */
  nowMs(): string {
    if (this.type === 'postgres') return '(EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::bigint';
    if (this.type === 'mssql') return "DATEDIFF_BIG(millisecond, '1970-01-01', SYSUTCDATETIME())";
    return "CAST(unixepoch('subsec') * 1000 AS INTEGER)";
  }

  /**
   * The database clock as a value for the datetime columns (RequestedTime, StartedTime...), in
   * the form TypeORM reads back as the same instant (SQLite: UTC text with milliseconds).
   */
  nowTimestamp(): string {
    if (this.type === 'postgres') return 'clock_timestamp()';
    if (this.type === 'mssql') return 'SYSUTCDATETIME()';
    return "strftime('%Y-%m-%d %H:%M:%f', 'now')";
  }

  /** A value ready to bind: SQLite cannot bind booleans or Dates. */
  value(value: unknown): unknown {
    if (this.type !== 'sqlite') return value;
    if (typeof value === 'boolean') return value ? 1 : 0;
    if (value instanceof Date) return value.toISOString().replace('T', ' ').replace('Z', '');
    return value;
  }

  /**
   * Rows changed by an INSERT/UPDATE/DELETE, from a structured result
   * (`queryRunner.query(sql, params, true)`) or PostgreSQL's `[rows, count]`. Plain
   * `dataSource.query` results carry no count on SQLite (it returns the last insert id) or SQL
   * Server (it returns the empty recordset), so those are refused rather than misread.
   */
  affectedRows(result: unknown): number {
    if (result instanceof QueryResult) return Number(result.affected ?? 0);
    if (Array.isArray(result) && result.length === 2 && typeof result[1] === 'number') {
      return result[1];
    }
    throw new TypeError(
      'affectedRows needs a structured query result: use SqlDialect.execute() or ' +
        'queryRunner.query(sql, params, true)',
    );
  }

  /** Runs an INSERT/UPDATE/DELETE and returns how many rows it changed, on every driver. */
  async execute(executor: SqlExecutor, sql: string, params: unknown[] = []): Promise<number> {
    const bound = params.map((p) => this.value(p));
    return withRunner(executor, async (runner) => {
      return this.affectedRows(await runner.query(sql, bound, true));
    });
  }

  /** Runs a SELECT and returns its rows. */
  async select<T = Record<string, unknown>>(
    executor: SqlExecutor,
    sql: string,
    params: unknown[] = [],
  ): Promise<T[]> {
    const bound = params.map((p) => this.value(p));
    return withRunner(executor, async (runner) => (await runner.query(sql, bound)) as T[]);
  }
}

async function withRunner<T>(executor: SqlExecutor, work: (r: QueryRunner) => Promise<T>) {
  if (executor instanceof DataSource) {
    const runner = executor.createQueryRunner();
    try {
      return await work(runner);
    } finally {
      await runner.release();
    }
  }
  if (executor instanceof EntityManager) {
    return withRunner(executor.queryRunner ?? executor.connection, work);
  }
  return work(executor);
}
