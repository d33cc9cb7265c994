import { DataSource } from 'typeorm';
import { SqlDialect } from '../persistence/sql-dialect';

type Row = Record<string, unknown>;

export interface MonitorPresence {
  monitorId: string;
  lastSeenMsAgo: number;
}

/** Each replica's last sign of life, on the database clock; used to share environments fairly. */
export class MonitorRegistryStore {
  private readonly d: SqlDialect;

  constructor(private readonly dataSource: DataSource) {
    this.d = SqlDialect.of(dataSource);
  }

  async heartbeat(monitorId: string): Promise<void> {
    const d = this.d;
    const s = d.params();
    const update =
      `UPDATE ${d.table('Monitor')} SET ${d.col('LastSeenAt')} = ${d.nowMs()} WHERE ` +
      `${d.col('MonitorId')} = ${s.bind(monitorId)}`;
    if ((await this.d.execute(this.dataSource, update, s.values)) === 1) return;
    const i = d.params();
    const insert =
      `INSERT INTO ${d.table('Monitor')} (${d.col('MonitorId')}, ${d.col('LastSeenAt')}, ` +
      `${d.col('StartedAt')}) SELECT ${i.bind(monitorId)}, ${d.nowMs()}, ${d.nowMs()} WHERE NOT EXISTS ` +
      `(SELECT 1 FROM ${d.table('Monitor')} WHERE ${d.col('MonitorId')} = ${i.bind(monitorId)})`;
    await this.d.execute(this.dataSource, insert, i.values).catch(() => 0);
  }

  /** Replicas seen within `withinMs`. */
  async live(withinMs: number): Promise<MonitorPresence[]> {
    const d = this.d;
    const s = d.params();
    const sql =
      `SELECT ${d.col('MonitorId')} AS ${d.col('monitorId')}, ${d.nowMs()} - ${d.col('LastSeenAt')} ` +
      `AS ${d.col('ago')} FROM ${d.table('Monitor')} WHERE ${d.col('LastSeenAt')} > ${d.nowMs()} - ` +
      `${s.bind(withinMs)}`;
    const rows = await this.d.select<Row>(this.dataSource, sql, s.values);
    return rows.map((r) => ({ monitorId: String(r.monitorId), lastSeenMsAgo: Number(r.ago) }));
  }

  async remove(monitorId: string): Promise<void> {
    const d = this.d;
    const s = d.params();
    const table = d.table('Monitor');
    const sql = `DELETE FROM ${table} WHERE ${d.col('MonitorId')} = ${s.bind(monitorId)}`;
    await this.d.execute(this.dataSource, sql, s.values);
  }
}
