/**
 * Real databases for tests, each unique to the caller and removed by `cleanup()`.
 *
 *   const db = await withSqlite();          // temp file, migrated
 *   const db = await withPostgres();        // fresh database dorc_test_<random>, migrated
 *   ...db.dataSource, db.dialect, db.settings (pass to child processes / other DataSources)
 *   await db.cleanup();                     // closes the DataSource, deletes file / drops db
 *
 * `{ migrate: false }` gives an empty database (for migration tests). PostgreSQL uses the
 * server in DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres); only the
 * database name is replaced. `createSqliteFile()` / `createPostgresDatabase()` give just the
 * settings, without opening a DataSource, for tests that spawn processes.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import type { DatabaseSettings } from '../../src/config/settings';
import { openDataSource } from '../../src/persistence/data-source.factory';
import { SqlDialect } from '../../src/persistence/sql-dialect';

export interface TestDatabase {
  dataSource: DataSource;
  dialect: SqlDialect;
  settings: DatabaseSettings;
  /** Safe to call twice. */
  cleanup(): Promise<void>;
}

export interface TestDatabaseSettings {
  settings: DatabaseSettings;
  /** Safe to call twice. */
  cleanup(): Promise<void>;
}

export interface TestDatabaseOptions {
  /** Apply the migrations. Default true. */
  migrate?: boolean;
}

export const DEFAULT_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

export function postgresServerUrl(): string {
  return process.env.DATABASE_URL || DEFAULT_POSTGRES_URL;
}

export async function createSqliteFile(): Promise<TestDatabaseSettings> {
  const dir = await mkdtemp(join(tmpdir(), 'dorc-test-'));
  const settings: DatabaseSettings = {
    type: 'sqlite',
    connectionString: join(dir, 'data', 'dorc.sqlite'),
    runMigrations: true,
  };
  return { settings, cleanup: once(() => rm(dir, { recursive: true, force: true })) };
}

export async function createPostgresDatabase(): Promise<TestDatabaseSettings> {
  const name = `dorc_test_${randomBytes(6).toString('hex')}`;
  await onServer((c) => c.query(`CREATE DATABASE "${name}"`));
  const url = new URL(postgresServerUrl());
  url.pathname = `/${name}`;
  const settings: DatabaseSettings = {
    type: 'postgres',
    connectionString: url.toString(),
    runMigrations: true,
  };
  const drop = () => onServer((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
  return { settings, cleanup: once(drop) };
}

export async function withSqlite(options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  return open(await createSqliteFile(), options);
}

export async function withPostgres(options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  return open(await createPostgresDatabase(), options);
}

async function open(db: TestDatabaseSettings, options: TestDatabaseOptions): Promise<TestDatabase> {
  let dataSource: DataSource;
  try {
    dataSource = await openDataSource(db.settings, { runMigrations: options.migrate ?? true });
  } catch (error) {
    await db.cleanup();
    throw error;
  }
  const cleanup = once(async () => {
    if (dataSource.isInitialized) await dataSource.destroy();
    await db.cleanup();
  });
  return { dataSource, dialect: SqlDialect.of(dataSource), settings: db.settings, cleanup };
}

async function onServer(work: (client: Client) => Promise<unknown>): Promise<void> {
  const client = new Client({ connectionString: postgresServerUrl() });
  await client.connect();
  try {
    await work(client);
  } finally {
    await client.end();
  }
}

function once(fn: () => Promise<unknown>): () => Promise<void> {
  let done: Promise<unknown> | undefined;
  return async () => {
    done ??= fn();
    await done;
  };
}
