import { QueryResult } from 'typeorm';
import { SqlDialect } from './sql-dialect';

describe('SqlDialect', () => {
  const sqlite = new SqlDialect('sqlite');
  const pg = new SqlDialect('postgres');
  const mssql = new SqlDialect('mssql');

  it('qualifies tables with the deploy schema except on SQLite', () => {
    expect(sqlite.table('DeploymentRequest')).toBe('"DeploymentRequest"');
    expect(pg.table('DeploymentRequest')).toBe('"deploy"."DeploymentRequest"');
    expect(mssql.table('DeploymentRequest')).toBe('[deploy].[DeploymentRequest]');
  });

  it('quotes identifiers and escapes the quote character', () => {
    expect(sqlite.col('Status')).toBe('"Status"');
    expect(pg.col('a"b')).toBe('"a""b"');
    expect(mssql.col('a]b')).toBe('[a]]b]');
  });

  it('writes placeholders counting from 0', () => {
    expect([0, 1].map((i) => pg.param(i))).toEqual(['$1', '$2']);
    expect([0, 1].map((i) => mssql.param(i))).toEqual(['@0', '@1']);
    expect([0, 1].map((i) => sqlite.param(i))).toEqual(['?', '?']);
  });

  it('reads the database clock in epoch milliseconds', () => {
    expect(sqlite.nowMs()).toBe("CAST(unixepoch('subsec') * 1000 AS INTEGER)");
    expect(pg.nowMs()).toBe('(EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::bigint');
    expect(mssql.nowMs()).toBe("DATEDIFF_BIG(millisecond, '1970-01-01', SYSUTCDATETIME())");
  });

  it('writes the database clock as a timestamp value', () => {
    expect(sqlite.nowTimestamp()).toBe("strftime('%Y-%m-%d %H:%M:%f', 'now')");
    expect(pg.nowTimestamp()).toBe('clock_timestamp()');
    expect(mssql.nowTimestamp()).toBe('SYSUTCDATETIME()');
  });

  it('binds parameters in the order they are written', () => {
    for (const [d, expected] of [
      [pg, '$1 $2 $3'],
      [mssql, '@0 @1 @2'],
      [sqlite, '? ? ?'],
    ] as const) {
      const p = d.params();
      const sql = `${p.bind('a')} ${p.list([1, 2])}`.replaceAll(',', '');
      expect(sql).toBe(expected);
      expect(p.values).toEqual(['a', 1, 2]);
    }
  });

  it('turns booleans and dates into values SQLite can bind, and leaves others alone', () => {
    const when = new Date('2024-05-06T07:08:09.010Z');
    expect(sqlite.value(true)).toBe(1);
    expect(sqlite.value(when)).toBe('2024-05-06 07:08:09.010');
    expect(pg.value(true)).toBe(true);
    expect(mssql.value(when)).toBe(when);
  });

  describe('affectedRows', () => {
    it('reads structured results of every driver', () => {
      const result = new QueryResult();
      result.affected = 3;
      expect(pg.affectedRows(result)).toBe(3);
      expect(sqlite.affectedRows(result)).toBe(3);
    });

    it("reads PostgreSQL's plain [rows, count]", () => {
      expect(pg.affectedRows([[], 2])).toBe(2);
    });

    it('refuses results that carry no count instead of misreading them', () => {
      // What plain dataSource.query returns for an UPDATE: SQLite the last insert id, SQL
      // Server the (absent) recordset.
      expect(() => sqlite.affectedRows(17)).toThrow(/structured/);
      expect(() => mssql.affectedRows(undefined)).toThrow(/structured/);
      expect(() => pg.affectedRows([{ Id: 1 }])).toThrow(/structured/);
    });
  });
});
