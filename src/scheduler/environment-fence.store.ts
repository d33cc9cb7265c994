import { DataSource } from 'typeorm';
import { Fence } from './fence';
import { SqlDialect } from '../persistence/sql-dialect';
import { textOrNull } from '../persistence/row-values';

type Row = Record<string, unknown>;

const CLAIMED = ['Requesting', 'Running', 'Cancelling', 'Restarting'];

/**
 * Issues fencing epochs. Taking an environment bumps its epoch, which invalidates every write of
 * a previous holder, but only when no other replica holds a live lease on a request there: a
 * slow or partitioned owner keeps its run until its lease lapses.
 */
export class EnvironmentFenceStore {
  private readonly d: SqlDialect;

  constructor(private readonly dataSource: DataSource) {
    this.d = SqlDialect.of(dataSource);
  }

  /** Returns the new fence, or null while another replica's lease in the environment is live. */
  async take(environment: string, ownerId: string): Promise<Fence | null> {
    await this.ensureRow(environment);
    // No transaction: the bump is one atomic statement, and if another replica bumps again
    // before the read below, the owner read back is theirs and this take simply fails.
    if ((await this.bump(environment, ownerId)) !== 1) return null;
    const epoch = await this.currentEpoch(environment, ownerId);
    return epoch === null ? null : { environment, epoch, ownerId };
  }

  /** The current holder of each environment (for the cluster view). */
  async holders(): Promise<Array<{ environment: string; epoch: number; ownerId: string | null }>> {
    const d = this.d;
    const s = d.params();
    const sql =
      `SELECT ${d.col('Environment')} AS ${d.col('environment')}, ${d.col('Epoch')} AS ` +
      `${d.col('epoch')}, ${d.col('OwnerId')} AS ${d.col('ownerId')} FROM ${d.table('EnvironmentLock')}`;
    const rows = await this.d.select<Row>(this.dataSource, sql, s.values);
    return rows.map((r) => ({
      environment: String(r.environment),
      epoch: Number(r.epoch),
      ownerId: textOrNull(r.ownerId),
    }));
  }

  private async ensureRow(environment: string): Promise<void> {
    const d = this.d;
    const s = d.params();
    const sql =
      `INSERT INTO ${d.table('EnvironmentLock')} (${d.col('Environment')}, ${d.col('Epoch')}) ` +
      `SELECT ${s.bind(environment)}, 0 WHERE NOT EXISTS (SELECT 1 FROM ` +
      `${d.table('EnvironmentLock')} WHERE ${d.col('Environment')} = ${s.bind(environment)})`;
    try {
      await this.d.execute(this.dataSource, sql, s.values);
    } catch (error) {
      // Two replicas inserting the first row at once: the loser's key violation is harmless,
      // the row exists either way and the bump below decides.
      if (!(await this.rowExists(environment))) throw error;
    }
  }

  private async rowExists(environment: string): Promise<boolean> {
    const d = this.d;
    const s = d.params();
    const sql =
      `SELECT 1 AS ${d.col('x')} FROM ${d.table('EnvironmentLock')} WHERE ` +
      `${d.col('Environment')} = ${s.bind(environment)}`;
    return (await this.d.select<Row>(this.dataSource, sql, s.values)).length > 0;
  }

  private async bump(environment: string, ownerId: string) {
    const d = this.d;
    const s = d.params();
    const sql =
      `UPDATE ${d.table('EnvironmentLock')} SET ${d.col('Epoch')} = ${d.col('Epoch')} + 1, ` +
      `${d.col('OwnerId')} = ${s.bind(ownerId)}, ${d.col('AcquiredAt')} = ${d.nowMs()} ` +
      `WHERE ${d.col('Environment')} = ${s.bind(environment)} AND NOT EXISTS (SELECT 1 FROM ` +
      `${d.table('DeploymentRequest')} r WHERE r.${d.col('Environment')} = ${s.bind(environment)} ` +
      `AND r.${d.col('Status')} IN (${s.list(CLAIMED)}) AND r.${d.col('OwnerId')} IS NOT NULL ` +
      `AND r.${d.col('OwnerId')} <> ${s.bind(ownerId)} AND r.${d.col('LeaseExpiresAt')} > ${d.nowMs()})`;
    return this.d.execute(this.dataSource, sql, s.values);
  }

  private async currentEpoch(environment: string, ownerId: string): Promise<number | null> {
    const d = this.d;
    const s = d.params();
    const sql =
      `SELECT ${d.col('Epoch')} AS ${d.col('epoch')}, ${d.col('OwnerId')} AS ${d.col('ownerId')} ` +
      `FROM ${d.table('EnvironmentLock')} WHERE ${d.col('Environment')} = ${s.bind(environment)}`;
    const [row] = await this.d.select<Row>(this.dataSource, sql, s.values);
    if (!row || row.ownerId !== ownerId) return null;
    return Number(row.epoch);
  }
}
