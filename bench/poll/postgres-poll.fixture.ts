import { DataSource } from 'typeorm';
import { openDataSource } from '../../src/persistence/data-source.factory';
import { createPostgresDatabase, TestDatabaseSettings } from '../../test/support/databases';
import {
  FINISHED,
  HISTORY_ENVIRONMENTS,
  PENDING_ENVIRONMENTS,
  SAMPLE_LOG,
  sampleDetails,
} from './poll-rows';

const COLUMNS =
  '"RequestDetails", "UserName", "RequestedTime", "StartedTime", "CompletedTime", "Status", ' +
  '"Log", "IsProd", "Project", "Environment", "BuildNumber", "Components", "Attempt"';

/** A fresh, migrated PostgreSQL database filled with `generate_series` inserts. */
export class PostgresPollFixture {
  private constructor(
    private readonly db: TestDatabaseSettings,
    readonly dataSource: DataSource,
  ) {}

  static async create(): Promise<PostgresPollFixture> {
    const db = await createPostgresDatabase();
    const ds = await openDataSource(db.settings, { runMigrations: true });
    return new PostgresPollFixture(db, ds);
  }

  /** Adds `count` finished rows (both tiers) and `pending` Pending ones, then ANALYZE. */
  async insert(count: number, pending: number): Promise<void> {
    const statuses = `(ARRAY['${FINISHED.join("','")}'])[1 + i % ${FINISHED.length}]`;
    const env = (modulo: number) => `'Env' || lpad((i % ${modulo})::text, 3, '0')`;
    await this.fill(count, statuses, 'i % 2 = 1', env(HISTORY_ENVIRONMENTS), true);
    await this.fill(pending, `'Pending'`, 'false', env(PENDING_ENVIRONMENTS), false);
    // Autovacuum would do this soon after a bulk load in production; do it now.
    await this.dataSource.query('ANALYZE "deploy"."DeploymentRequest"');
  }

  private async fill(count: number, status: string, isProd: string, env: string, done: boolean) {
    if (count === 0) return;
    const finished = done ? 'now()' : 'NULL';
    const sql =
      `INSERT INTO "deploy"."DeploymentRequest" (${COLUMNS}) SELECT $1, 'bench', now(), ` +
      `${finished}, ${finished}, ${status}, ${done ? '$2' : 'NULL'}, ${isProd}, 'Shop', ${env}, ` +
      `'1.2.3', 'Database,WebApp', 0 FROM generate_series(0, ${count - 1}) AS i`;
    await this.dataSource.query(
      sql,
      done ? [sampleDetails('Env000'), SAMPLE_LOG] : [sampleDetails('Env000')],
    );
  }

  async cleanup(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
    await this.db.cleanup();
  }
}
