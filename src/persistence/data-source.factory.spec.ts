import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { createDataSourceOptions, openDataSource } from './data-source.factory';
import { ALL_ENTITIES } from './entities/all-entities';
import { ALL_MIGRATIONS } from './migrations/all-migrations';

describe('createDataSourceOptions', () => {
  it('uses better-sqlite3 with WAL, a busy timeout and an absolute path', () => {
    const o = createDataSourceOptions({
      type: 'sqlite',
      connectionString: 'data/x.sqlite',
      runMigrations: true,
    });
    expect(o).toMatchObject({ type: 'better-sqlite3', enableWAL: true, timeout: 5000 });
    expect(o.type === 'better-sqlite3' && o.database).toBe(join(process.cwd(), 'data/x.sqlite'));
  });

  it('passes a PostgreSQL URL through', () => {
    const url = 'postgres://u:p@db:5432/dorc';
    expect(
      createDataSourceOptions({ type: 'postgres', connectionString: url, runMigrations: false }),
    ).toMatchObject({
      type: 'postgres',
      url,
    });
  });

  it('turns a SQL Server connection string into TypeORM options, verifying certificates', () => {
    const o = createDataSourceOptions({
      type: 'mssql',
      connectionString: 'Server=sql,1444;Database=DOrc;User Id=u;Password=p;Encrypt=true',
      runMigrations: false,
    });
    expect(o).toMatchObject({
      type: 'mssql',
      host: 'sql',
      port: 1444,
      database: 'DOrc',
      username: 'u',
      password: 'p',
      options: { encrypt: true, trustServerCertificate: false, useUTC: true },
    });
  });

  it('never synchronises, never logs SQL, and knows every entity and migration', () => {
    for (const type of ['sqlite', 'postgres', 'mssql'] as const) {
      const o = createDataSourceOptions({
        type,
        connectionString: 'Server=x',
        runMigrations: false,
      });
      expect(o).toMatchObject({ synchronize: false, logging: false });
      expect(o.entities).toEqual(ALL_ENTITIES);
      expect(o.migrations).toEqual(ALL_MIGRATIONS);
    }
  });
});

describe('openDataSource (SQLite)', () => {
  let dir: string;
  let ds: DataSource | undefined;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dorc-ds-'));
  });

  afterEach(async () => {
    if (ds?.isInitialized) await ds.destroy();
    await rm(dir, { recursive: true, force: true });
  });

  it('creates the parent directory and opens the file in WAL mode with a 5 s busy timeout', async () => {
    const file = join(dir, 'nested', 'deeper', 'dorc.sqlite');
    ds = await openDataSource({ type: 'sqlite', connectionString: file, runMigrations: false });

    expect(existsSync(file)).toBe(true);
    expect(await ds.query('PRAGMA journal_mode')).toEqual([{ journal_mode: 'wal' }]);
    expect(await ds.query('PRAGMA busy_timeout')).toEqual([{ timeout: 5000 }]);
  });

  it('migrates only when asked', async () => {
    const settings = {
      type: 'sqlite' as const,
      connectionString: join(dir, 'a.sqlite'),
      runMigrations: true,
    };
    ds = await openDataSource(settings);
    const tables = async () =>
      (await ds!.query(`SELECT name FROM sqlite_master WHERE name = 'DeploymentRequest'`)).length;
    expect(await tables()).toBe(0);
    await ds.destroy();

    ds = await openDataSource(settings, { runMigrations: true });
    expect(await tables()).toBe(1);
  });
});
