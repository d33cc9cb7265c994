import { createRequire } from 'node:module';
import { DataSource } from 'typeorm';
import { openDataSource } from '../../src/persistence/data-source.factory';
import { createSqliteFile, TestDatabaseSettings } from '../../test/support/databases';
import { envName, FINISHED, PENDING_ENVIRONMENTS, SAMPLE_LOG, sampleDetails } from './poll-rows';

/** The part of better-sqlite3 used here (the package ships no typings). */
interface SqliteDatabase {
  prepare(sql: string): { run(...params: unknown[]): unknown };
  transaction(work: () => void): () => void;
  close(): void;
}
const Database = createRequire(__filename)('better-sqlite3') as new (
  file: string,
) => SqliteDatabase;

const INSERT =
  'INSERT INTO "DeploymentRequest" ("RequestDetails", "UserName", "RequestedTime", "StartedTime", ' +
  '"CompletedTime", "Status", "Log", "IsProd", "Project", "Environment", "BuildNumber", ' +
  '"Components", "Attempt") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)';

/** A migrated SQLite file filled straight through better-sqlite3: one transaction, one statement. */
export class SqlitePollFixture {
  private constructor(private readonly file: TestDatabaseSettings) {}

  static async create(): Promise<SqlitePollFixture> {
    const file = await createSqliteFile();
    const ds = await openDataSource(file.settings, { runMigrations: true });
    await ds.destroy();
    return new SqlitePollFixture(file);
  }

  /** Adds `count` finished rows (both tiers) and, when asked, the 100 pending ones. */
  insert(count: number, pending: number): void {
    const db = new Database(this.file.settings.connectionString);
    try {
      const statement = db.prepare(INSERT);
      const when = sqliteDate(new Date());
      db.transaction(() => {
        for (let i = 0; i < count; i++)
          statement.run(...row(envName(i), FINISHED[i % 6], i % 2, when));
        for (let i = 0; i < pending; i++) {
          statement.run(...row(envName(i % PENDING_ENVIRONMENTS), 'Pending', 0, when));
        }
      })();
    } finally {
      db.close();
    }
  }

  open(): Promise<DataSource> {
    return openDataSource(this.file.settings, { runMigrations: false });
  }

  cleanup(): Promise<void> {
    return this.file.cleanup();
  }
}

function row(environment: string, status: string, isProd: number, when: string): unknown[] {
  const done = status !== 'Pending';
  const details = sampleDetails(environment);
  return [
    details,
    'bench',
    when,
    done ? when : null,
    done ? when : null,
    status,
    done ? SAMPLE_LOG : null,
    isProd,
    'Shop',
    environment,
    '1.2.3',
    'Database,WebApp',
  ];
}

/** TypeORM's SQLite date text: UTC `YYYY-MM-DD HH:MM:SS.SSS`. */
function sqliteDate(date: Date): string {
  return date.toISOString().replace('T', ' ').replace('Z', '');
}
