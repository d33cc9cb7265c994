import { DataSource } from 'typeorm';
import { DeploymentRequestEntity } from '../../src/persistence/entities/deployment-request.entity';
import { ALL_ENTITIES } from '../../src/persistence/entities/all-entities';
import { ProjectEntity } from '../../src/persistence/entities/project.entity';
import { runMigrationsExclusively } from '../../src/persistence/migration.runner';
import { ALL_MIGRATIONS } from '../../src/persistence/migrations/all-migrations';
import { InitialSchema1717000000000 } from '../../src/persistence/migrations/1717000000000-initial-schema.migration';
import { TestDatabase, withPostgres, withSqlite } from '../support/databases';

const TABLES = [
  'Component',
  'DeploymentRequest',
  'DeploymentResult',
  'Environment',
  'EnvironmentLock',
  'Project',
  'ProjectComponent',
  'Script',
];

const INDEXES = [
  'IX_DeploymentRequest_Environment_Id',
  'IX_DeploymentRequest_Status_IsProd',
  'IX_DeploymentResult_DeploymentRequestId',
  'UQ_Component_Name',
  'UQ_Environment_Name',
  'UQ_Project_Name',
  'UQ_Script_Name',
];

interface ColumnInfo {
  name: string;
  type: string;
  notNull: boolean;
  default: string | null;
}

/** The schema as the database itself reports it (not as TypeORM believes it). */
interface Catalog {
  tables(ds: DataSource): Promise<string[]>;
  columns(ds: DataSource, table: string): Promise<ColumnInfo[]>;
  indexes(ds: DataSource): Promise<Array<{ name: string; unique: boolean }>>;
}

const sqliteCatalog: Catalog = {
  tables: async (ds) =>
    (
      await ds.query(
        `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`,
      )
    )
      .map((r: { name: string }) => r.name)
      .filter((n: string) => n !== 'dorc_monitor_migrations'),
  columns: async (ds, table) =>
    (
      await ds.query(`SELECT name, type, "notnull", dflt_value FROM pragma_table_info('${table}')`)
    ).map((r: { name: string; type: string; notnull: number; dflt_value: string | null }) => ({
      name: r.name,
      type: r.type.toLowerCase(),
      notNull: r.notnull === 1,
      default: r.dflt_value,
    })),
  indexes: async (ds) =>
    (
      await ds.query(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL`)
    ).map((r: { name: string; sql: string }) => ({
      name: r.name,
      unique: r.sql.startsWith('CREATE UNIQUE'),
    })),
};

const postgresCatalog: Catalog = {
  tables: async (ds) =>
    (
      await ds.query(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = 'deploy'`,
      )
    ).map((r: { table_name: string }) => r.table_name),
  columns: async (ds, table) =>
    (
      await ds.query(
        `SELECT column_name, data_type, is_nullable, column_default FROM information_schema.columns ` +
          `WHERE table_schema = 'deploy' AND table_name = $1`,
        [table],
      )
    ).map(
      (r: {
        column_name: string;
        data_type: string;
        is_nullable: string;
        column_default: string | null;
      }) => ({
        name: r.column_name,
        type: r.data_type,
        notNull: r.is_nullable === 'NO',
        default: r.column_default,
      }),
    ),
  indexes: async (ds) =>
    (await ds.query(`SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'deploy'`))
      .filter(
        (r: { indexname: string }) =>
          !r.indexname.startsWith('PK_') && !r.indexname.endsWith('_pkey'),
      )
      .map((r: { indexname: string; indexdef: string }) => ({
        name: r.indexname,
        unique: r.indexdef.startsWith('CREATE UNIQUE'),
      })),
};

const EXPECTED_TYPES = {
  sqlite: {
    RequestDetails: 'text',
    RequestedTime: 'datetime',
    IsProd: 'integer',
    Epoch: 'bigint',
    Status: 'varchar(32)',
  },
  postgres: {
    RequestDetails: 'text',
    RequestedTime: 'timestamp with time zone',
    IsProd: 'boolean',
    Epoch: 'bigint',
    Status: 'character varying',
  },
};

describe.each([
  ['sqlite', withSqlite, sqliteCatalog],
  ['postgres', withPostgres, postgresCatalog],
] as const)('migrations on %s', (type, open, catalog) => {
  let db: TestDatabase;

  beforeEach(async () => {
    db = await open({ migrate: false });
  });

  afterEach(async () => {
    await db.cleanup();
  });

  it('creates every table with exactly the columns of its entity', async () => {
    const applied = await runMigrationsExclusively(db.dataSource);

    expect(applied.map((m) => m.name)).toEqual(ALL_MIGRATIONS.map((M) => new M().name));
    expect(await catalog.tables(db.dataSource)).toEqual(expect.arrayContaining(TABLES));
    for (const entity of ALL_ENTITIES) {
      const meta = db.dataSource.getMetadata(entity);
      const columns = await catalog.columns(db.dataSource, meta.tableName);
      expect(columns.map((c) => c.name).sort()).toEqual(
        meta.columns.map((c) => c.databaseName).sort(),
      );
    }
  });

  it('uses the types of the dialect, with the HA columns nullable except Attempt (default 0)', async () => {
    await runMigrationsExclusively(db.dataSource);
    const columns = new Map(
      (await catalog.columns(db.dataSource, 'DeploymentRequest')).map((c) => [c.name, c]),
    );

    for (const [name, dataType] of Object.entries(EXPECTED_TYPES[type])) {
      expect([name, columns.get(name)?.type]).toEqual([name, dataType]);
    }
    expect(['OwnerId', 'Epoch', 'LeaseExpiresAt'].map((c) => columns.get(c)?.notNull)).toEqual([
      false,
      false,
      false,
    ]);
    expect(columns.get('Attempt')).toMatchObject({ notNull: true, default: '0' });
  });

  it('creates the poll indexes and the unique names', async () => {
    await runMigrationsExclusively(db.dataSource);
    const indexes = await catalog.indexes(db.dataSource);

    expect(indexes.map((i) => i.name).sort()).toEqual(INDEXES);
    expect(
      indexes
        .filter((i) => i.unique)
        .map((i) => i.name)
        .sort(),
    ).toEqual(INDEXES.filter((i) => i.startsWith('UQ')));
    await db.dataSource.manager.insert(ProjectEntity, { name: 'App' });
    await expect(db.dataSource.manager.insert(ProjectEntity, { name: 'App' })).rejects.toThrow();
  });

  it('applies nothing the second time', async () => {
    await runMigrationsExclusively(db.dataSource);
    expect(await runMigrationsExclusively(db.dataSource)).toEqual([]);
    const recorded = await db.dataSource.query(`SELECT name FROM dorc_monitor_migrations`);
    expect(recorded).toHaveLength(ALL_MIGRATIONS.length);
  });

  it('adopts an existing DOrc database: original tables kept, HA columns added', async () => {
    // The original tables and a request, as a DOrc installation has them, with no record of
    // any migration.
    const runner = db.dataSource.createQueryRunner();
    await new InitialSchema1717000000000().up(runner);
    await runner.release();
    const requests = db.dialect.table('DeploymentRequest');
    const c = (n: string) => db.dialect.col(n);
    await db.dataSource.query(
      `INSERT INTO ${requests} (${c('Status')}, ${c('IsProd')}, ${c('Environment')}) VALUES ('Completed', ${type === 'sqlite' ? 0 : 'false'}, 'QA')`,
    );

    await runMigrationsExclusively(db.dataSource);

    const [row] = await db.dataSource.manager.find(DeploymentRequestEntity);
    expect(row).toMatchObject({
      status: 'Completed',
      environment: 'QA',
      attempt: 0,
      ownerId: null,
      epoch: null,
    });
  });

  it('can be reverted and applied again', async () => {
    await runMigrationsExclusively(db.dataSource);

    // Back to the original DOrc schema: the HA additions are gone.
    for (let i = 1; i < ALL_MIGRATIONS.length; i++) await db.dataSource.undoLastMigration();
    const columns = (await catalog.columns(db.dataSource, 'DeploymentRequest')).map((c) => c.name);
    expect(columns).not.toContain('Attempt');
    expect(columns).toContain('EnvironmentOwnerEmail');
    expect(await catalog.tables(db.dataSource)).not.toContain('EnvironmentLock');
    await db.dataSource.undoLastMigration();
    expect(await catalog.tables(db.dataSource)).toEqual([]);

    expect(await runMigrationsExclusively(db.dataSource)).toHaveLength(ALL_MIGRATIONS.length);
    expect(await catalog.tables(db.dataSource)).toEqual(expect.arrayContaining(TABLES));
  });
});
