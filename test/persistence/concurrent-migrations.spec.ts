import { join } from 'node:path';
import { openDataSource } from '../../src/persistence/data-source.factory';
import { ALL_MIGRATIONS } from '../../src/persistence/migrations/all-migrations';
import {
  createPostgresDatabase,
  createSqliteFile,
  TestDatabaseSettings,
} from '../support/databases';
import { runTsChild } from './fixtures/ts-child';

const CHILD = join(__dirname, 'fixtures', 'migrate.child.ts');
const PROCESSES = 4;

/** Replicas starting together against one fresh database: exactly one of them migrates. */
describe.each([
  ['sqlite', createSqliteFile],
  ['postgres', createPostgresDatabase],
] as const)('migrations from several processes at once on %s', (_type, create) => {
  let db: TestDatabaseSettings;

  beforeEach(async () => {
    db = await create();
  });

  afterEach(async () => {
    await db.cleanup();
  });

  it('all start, the schema is applied once and recorded once', async () => {
    const args = [JSON.stringify(db.settings)];
    const results = await Promise.all(
      Array.from({ length: PROCESSES }, () => runTsChild(CHILD, args)),
    );

    expect(results.map((r) => [r.code, r.stderr])).toEqual(results.map(() => [0, '']));
    const applied = results.map((r) => JSON.parse(r.stdout) as string[]);
    expect(applied.filter((names) => names.length === ALL_MIGRATIONS.length)).toHaveLength(1);
    expect(applied.filter((names) => names.length === 0)).toHaveLength(PROCESSES - 1);

    const ds = await openDataSource(db.settings);
    try {
      expect(await ds.query('SELECT name FROM dorc_monitor_migrations')).toHaveLength(
        ALL_MIGRATIONS.length,
      );
    } finally {
      await ds.destroy();
    }
  }, 180_000);
});
