import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DataSource, DataSourceOptions } from 'typeorm';
import type { DatabaseSettings } from '../config/settings';
import { ALL_ENTITIES } from './entities/all-entities';
import { ALL_MIGRATIONS } from './migrations/all-migrations';
import { runMigrationsExclusively } from './migration.runner';
import { parseSqlServerConnectionString } from './sql-server-connection-string';

/** SQLite waits this long for another process's write lock before failing with SQLITE_BUSY. */
const SQLITE_BUSY_TIMEOUT_MS = 5000;

const COMMON = {
  entities: ALL_ENTITIES,
  migrations: ALL_MIGRATIONS,
  // Not the default "migrations": the monitor may share an existing DOrc database.
  migrationsTableName: 'dorc_monitor_migrations',
  synchronize: false,
  logging: false,
} as const;

/** TypeORM options for the configured database. Never logs: the options hold the secret. */
export function createDataSourceOptions(db: DatabaseSettings): DataSourceOptions {
  if (db.type === 'sqlite') return sqliteOptions(db.connectionString);
  if (db.type === 'postgres') {
    return {
      ...COMMON,
      type: 'postgres',
      url: db.connectionString,
      applicationName: 'dorc-monitor',
    };
  }
  return sqlServerOptions(db.connectionString);
}

export interface OpenDataSourceOptions {
  /** Apply pending migrations after connecting, one process at a time. Default false. */
  runMigrations?: boolean;
}

/** Connects (creating a SQLite file's directory first) and optionally migrates. */
export async function openDataSource(
  db: DatabaseSettings,
  opts: OpenDataSourceOptions = {},
): Promise<DataSource> {
  const options = createDataSourceOptions(db);
  if (options.type === 'better-sqlite3' && options.database !== ':memory:') {
    mkdirSync(dirname(options.database), { recursive: true });
  }

  const dataSource = await new DataSource(options).initialize();
  if (!opts.runMigrations) return dataSource;
  try {
    await runMigrationsExclusively(dataSource);
    return dataSource;
  } catch (error) {
    await dataSource.destroy();
    throw error;
  }
}

function sqliteOptions(file: string): DataSourceOptions {
  return {
    ...COMMON,
    type: 'better-sqlite3',
    database: file === ':memory:' ? file : resolve(file),
    // Several monitors (and test processes) may share one file: WAL lets readers run beside
    // the writer, and the busy timeout turns lock contention into a short wait.
    enableWAL: true,
    timeout: SQLITE_BUSY_TIMEOUT_MS,
  };
}

function sqlServerOptions(connectionString: string): DataSourceOptions {
  const c = parseSqlServerConnectionString(connectionString);
  return {
    ...COMMON,
    type: 'mssql',
    host: c.host,
    port: c.port,
    database: c.database,
    username: c.userName,
    password: c.password,
    connectionTimeout: c.connectTimeoutMs,
    options: {
      instanceName: c.instanceName,
      encrypt: c.encrypt,
      trustServerCertificate: c.trustServerCertificate,
      // Times are written and read as UTC, the same clock as SYSUTCDATETIME() in hand-written SQL.
      useUTC: true,
      appName: c.applicationName ?? 'dorc-monitor',
    },
  };
}
