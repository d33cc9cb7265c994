import { DataSource } from 'typeorm';
import { createDataSourceOptions } from '../../src/persistence/data-source.factory';
import { HighAvailability1717000001000 } from '../../src/persistence/migrations/1717000001000-high-availability.migration';
import { ALL_MIGRATIONS } from '../../src/persistence/migrations/all-migrations';
import { FakeMssqlDriver } from './fixtures/fake-mssql.driver';

/**
 * SQL Server DDL, generated without a server. TypeORM's `enableSqlMemory()` only captures SQL
 * built by its schema API; the migrations send hand-written, guarded SQL through
 * `queryRunner.query()`, which always needs a connection. So TypeORM's real SQL Server driver
 * runs them over a fake `mssql` package that records each batch.
 */
describe('migrations on SQL Server (generated SQL)', () => {
  let fake: FakeMssqlDriver;
  let ds: DataSource;
  let batches: string[];

  beforeAll(async () => {
    fake = new FakeMssqlDriver();
    const options = createDataSourceOptions({
      type: 'mssql',
      connectionString: 'Server=sql.invalid,1433;Database=DOrc;User Id=u;Password=p',
      runMigrations: false,
    });
    ds = await new DataSource({
      ...options,
      driver: fake.module(),
    }).initialize();
    const runner = ds.createQueryRunner();
    fake.batches.length = 0;
    for (const Migration of ALL_MIGRATIONS) await new Migration().up(runner);
    await runner.release();
    batches = [...fake.batches];
  });

  afterAll(async () => {
    await ds.destroy();
  });

  const find = (pattern: RegExp) => batches.filter((b) => pattern.test(b));
  const createTable = (name: string) => {
    const [sql] = find(new RegExp(`CREATE TABLE \\[deploy\\]\\.\\[${name}\\] `));
    expect(sql).toBeDefined();
    return sql;
  };

  it('creates the deploy schema first, only if missing, in its own EXEC batch', () => {
    expect(batches[0]).toBe("IF SCHEMA_ID(N'deploy') IS NULL EXEC('CREATE SCHEMA [deploy]')");
  });

  it('creates each original table only if it does not exist', () => {
    for (const table of [
      'Project',
      'Environment',
      'Script',
      'Component',
      'ProjectComponent',
      'DeploymentRequest',
      'DeploymentResult',
    ]) {
      expect(createTable(table)).toMatch(
        new RegExp(`^IF OBJECT_ID\\(N'deploy\\.${table}', N'U'\\) IS NULL CREATE TABLE`),
      );
    }
  });

  it('uses nvarchar(max), nvarchar(n), datetime2, bit and identity keys', () => {
    const sql = createTable('DeploymentRequest');
    expect(sql).toContain(
      '[Id] int IDENTITY(1,1) NOT NULL CONSTRAINT [PK_DeploymentRequest] PRIMARY KEY',
    );
    expect(sql).toContain('[RequestDetails] nvarchar(max) NULL');
    expect(sql).toContain('[RequestedTime] datetime2 NULL');
    expect(sql).toContain('[Status] nvarchar(32) NOT NULL');
    expect(sql).toContain(
      '[IsProd] bit NOT NULL CONSTRAINT [DF_DeploymentRequest_IsProd] DEFAULT 0',
    );
    expect(sql).toContain('[UNCLogPath] nvarchar(1024) NULL');
    expect(sql).not.toMatch(/\b(text|ntext|datetime|boolean|timestamptz)\b/);
  });

  it('keeps catalogue integrity with composite and foreign keys', () => {
    expect(createTable('ProjectComponent')).toContain(
      'CONSTRAINT [PK_ProjectComponent] PRIMARY KEY ([ProjectId], [ComponentId])',
    );
    expect(createTable('Component')).toContain(
      'CONSTRAINT [FK_Component_ParentId] FOREIGN KEY ([ParentId]) REFERENCES [deploy].[Component] ([Id])',
    );
    expect(createTable('Component')).toContain(
      '[IsEnabled] bit NOT NULL CONSTRAINT [DF_Component_IsEnabled] DEFAULT 1',
    );
  });

  it('creates the poll indexes and unique names only if missing', () => {
    expect(batches).toContain(
      "IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'IX_DeploymentRequest_Status_IsProd' AND object_id = OBJECT_ID(N'deploy.DeploymentRequest')) CREATE INDEX [IX_DeploymentRequest_Status_IsProd] ON [deploy].[DeploymentRequest] ([Status], [IsProd])",
    );
    expect(
      find(
        /CREATE INDEX \[IX_DeploymentRequest_Environment_Id\] ON \[deploy\]\.\[DeploymentRequest\] \(\[Environment\], \[Id\]\)$/,
      ),
    ).toHaveLength(1);
    expect(
      find(
        /CREATE INDEX \[IX_DeploymentResult_DeploymentRequestId\] ON \[deploy\]\.\[DeploymentResult\] \(\[DeploymentRequestId\]\)$/,
      ),
    ).toHaveLength(1);
    for (const table of ['Project', 'Environment', 'Script', 'Component']) {
      expect(
        find(
          new RegExp(
            `CREATE UNIQUE INDEX \\[UQ_${table}_Name\\] ON \\[deploy\\]\\.\\[${table}\\] \\(\\[Name\\]\\)$`,
          ),
        ),
      ).toHaveLength(1);
    }
  });

  it('adds the HA columns only if missing, Attempt NOT NULL with a named default', () => {
    const adds = find(/ALTER TABLE \[deploy\]\.\[DeploymentRequest\] ADD /);
    expect(adds).toEqual([
      "IF COL_LENGTH(N'deploy.DeploymentRequest', N'OwnerId') IS NULL ALTER TABLE [deploy].[DeploymentRequest] ADD [OwnerId] nvarchar(255) NULL",
      "IF COL_LENGTH(N'deploy.DeploymentRequest', N'Epoch') IS NULL ALTER TABLE [deploy].[DeploymentRequest] ADD [Epoch] bigint NULL",
      "IF COL_LENGTH(N'deploy.DeploymentRequest', N'LeaseExpiresAt') IS NULL ALTER TABLE [deploy].[DeploymentRequest] ADD [LeaseExpiresAt] bigint NULL",
      "IF COL_LENGTH(N'deploy.DeploymentRequest', N'Attempt') IS NULL ALTER TABLE [deploy].[DeploymentRequest] ADD [Attempt] int NOT NULL CONSTRAINT [DF_DeploymentRequest_Attempt] DEFAULT 0",
    ]);
  });

  it('reverts the HA migration, dropping the named default before its column', async () => {
    const runner = ds.createQueryRunner();
    fake.batches.length = 0;
    await new HighAvailability1717000001000().down(runner);
    await runner.release();

    expect(fake.batches).toEqual([
      'DROP TABLE IF EXISTS [deploy].[EnvironmentLock]',
      'ALTER TABLE [deploy].[DeploymentRequest] DROP CONSTRAINT [DF_DeploymentRequest_Attempt]',
      'ALTER TABLE [deploy].[DeploymentRequest] DROP COLUMN [Attempt]',
      'ALTER TABLE [deploy].[DeploymentRequest] DROP COLUMN [LeaseExpiresAt]',
      'ALTER TABLE [deploy].[DeploymentRequest] DROP COLUMN [Epoch]',
      'ALTER TABLE [deploy].[DeploymentRequest] DROP COLUMN [OwnerId]',
    ]);
  });

  it('creates EnvironmentLock keyed by environment name', () => {
    const sql = createTable('EnvironmentLock');
    expect(sql).toContain('[Environment] nvarchar(255) NOT NULL');
    expect(sql).toContain('[Epoch] bigint NOT NULL');
    expect(sql).toContain('[AcquiredAt] bigint NULL');
    expect(sql).toContain('CONSTRAINT [PK_EnvironmentLock] PRIMARY KEY ([Environment])');
  });
});
