import { DataSource, Migration } from 'typeorm';
import { SqlDialect } from './sql-dialect';

/** Arbitrary but fixed: the PostgreSQL advisory lock key that serialises our migrations. */
const PG_MIGRATION_LOCK_KEY = 0x444f5243;
const MSSQL_LOCK_TIMEOUT_MS = 60_000;

/**
 * Applies pending migrations while holding a database-wide lock, so that replicas starting
 * together do not run the same migration twice. Returns the migrations applied now.
 */
export async function runMigrationsExclusively(dataSource: DataSource): Promise<Migration[]> {
  const type = SqlDialect.typeOf(dataSource);
  if (type === 'sqlite') return runOnSqlite(dataSource);
  if (type === 'postgres') return runOnPostgres(dataSource);
  return runOnSqlServer(dataSource);
}

/**
 * TypeORM talks to SQLite over one connection, so a write transaction opened here covers the
 * migrations table read and every migration. BEGIN IMMEDIATE takes the file's write lock up
 * front (waiting out the busy timeout), so a second process reads the table only after the
 * first has committed and finds nothing pending.
 */
async function runOnSqlite(dataSource: DataSource): Promise<Migration[]> {
  await dataSource.query('BEGIN IMMEDIATE');
  try {
    const applied = await dataSource.runMigrations({ transaction: 'none' });
    await dataSource.query('COMMIT');
    return applied;
  } catch (error) {
    await dataSource.query('ROLLBACK');
    throw error;
  }
}

/** A session advisory lock on its own connection; TypeORM migrates on another one. */
async function runOnPostgres(dataSource: DataSource): Promise<Migration[]> {
  const lock = dataSource.createQueryRunner();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [PG_MIGRATION_LOCK_KEY]);
    try {
      return await dataSource.runMigrations({ transaction: 'all' });
    } finally {
      await lock.query('SELECT pg_advisory_unlock($1)', [PG_MIGRATION_LOCK_KEY]);
    }
  } finally {
    await lock.release();
  }
}

/** An application lock owned by a transaction on its own connection; commit releases it. */
async function runOnSqlServer(dataSource: DataSource): Promise<Migration[]> {
  const lock = dataSource.createQueryRunner();
  await lock.startTransaction();
  try {
    await lock.query(
      `DECLARE @r int; EXEC @r = sp_getapplock @Resource = N'dorc-monitor-migrations', ` +
        `@LockMode = N'Exclusive', @LockOwner = N'Transaction', @LockTimeout = ${MSSQL_LOCK_TIMEOUT_MS}; ` +
        `IF @r < 0 THROW 50000, N'Timed out waiting for the migration lock', 1;`,
    );
    const applied = await dataSource.runMigrations({ transaction: 'all' });
    await lock.commitTransaction();
    return applied;
  } catch (error) {
    await lock.rollbackTransaction();
    throw error;
  } finally {
    await lock.release();
  }
}
