import { Client } from 'pg';
import { LockContender } from './lock-contender';

/**
 * A PostgreSQL session-level advisory lock: `pg_try_advisory_lock` / `pg_advisory_unlock`. One
 * session holds every key (advisory locks belong to the session), so concurrent calls queue on
 * it, as they would in a replica that locked this way.
 */
export class PgAdvisoryContender implements LockContender {
  readonly name = 'PostgreSQL advisory lock';
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(private readonly client: Client) {}

  static async open(url: string): Promise<PgAdvisoryContender> {
    const client = new Client({ connectionString: url });
    await client.connect();
    return new PgAdvisoryContender(client);
  }

  async prepare(): Promise<void> {}

  async acquire(key: string): Promise<boolean> {
    const rows = await this.query('SELECT pg_try_advisory_lock($1) AS ok', key);
    return rows[0].ok === true;
  }

  async release(key: string): Promise<void> {
    await this.query('SELECT pg_advisory_unlock($1)', key);
  }

  /** pg deprecates overlapping queries on one client: chain them, as its own queue did. */
  private query(sql: string, key: string): Promise<Array<Record<string, unknown>>> {
    const next = this.queue.then(() => this.client.query(sql, [lockKey(key)]));
    this.queue = next.catch(() => undefined);
    return next.then((result) => result.rows);
  }

  close(): Promise<void> {
    return this.client.end();
  }
}

/** A stable 32-bit key per name (FNV-1a), computed here so the server does only the lock. */
function lockKey(key: string): number {
  let hash = 0x811c9dc5;
  for (const char of Buffer.from(key, 'utf8')) {
    hash = Math.imul(hash ^ char, 0x01000193);
  }
  return hash | 0;
}
