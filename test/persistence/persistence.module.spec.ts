import { Global, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { SETTINGS, Settings } from '../../src/config/settings';
import { PersistenceModule } from '../../src/persistence/persistence.module';
import { SqlDialect } from '../../src/persistence/sql-dialect';
import {
  createPostgresDatabase,
  createSqliteFile,
  TestDatabaseSettings,
} from '../support/databases';

function settingsModule(database: Settings['database']) {
  @Global()
  @Module({ providers: [{ provide: SETTINGS, useValue: { database } }], exports: [SETTINGS] })
  class TestSettingsModule {}
  return TestSettingsModule;
}

describe.each([
  ['sqlite', createSqliteFile],
  ['postgres', createPostgresDatabase],
] as const)('PersistenceModule on %s', (type, create) => {
  let db: TestDatabaseSettings;

  beforeEach(async () => {
    db = await create();
  });

  afterEach(async () => {
    await db.cleanup();
  });

  async function boot(runMigrations: boolean) {
    const moduleRef = await Test.createTestingModule({
      imports: [settingsModule({ ...db.settings, runMigrations }), PersistenceModule],
    }).compile();
    return moduleRef.init();
  }

  it('connects, migrates at start when configured, and closes with the app', async () => {
    const app = await boot(true);
    const dataSource = app.get(DataSource);

    expect(app.get(SqlDialect).type).toBe(type);
    expect(await dataSource.query('SELECT name FROM dorc_monitor_migrations')).not.toHaveLength(0);
    await app.close();
    expect(dataSource.isInitialized).toBe(false);
  });

  it('leaves the schema alone when migrations are off', async () => {
    const app = await boot(false);
    const dialect = app.get(SqlDialect);
    try {
      await expect(
        app.get(DataSource).query(`SELECT 1 FROM ${dialect.table('DeploymentRequest')}`),
      ).rejects.toThrow();
    } finally {
      await app.close();
    }
  });
});
