import { DataSource } from 'typeorm';
import type { ResultStatus } from '../persistence/entities/deployment-result.entity';
import { Fence } from './fence';
import { ownedBy } from './fence-sql';
import { SqlDialect } from '../persistence/sql-dialect';

type Row = Record<string, unknown>;

export interface ResultRow {
  id: number;
  componentId: number;
  status: ResultStatus;
  log: string;
}

/** DeploymentResult rows of a run. Writes succeed only while the run's fence holds. */
export class ResultStore {
  private readonly d: SqlDialect;

  constructor(private readonly dataSource: DataSource) {
    this.d = SqlDialect.of(dataSource);
  }

  async list(requestId: number): Promise<ResultRow[]> {
    const d = this.d;
    const s = d.params();
    const sql =
      `SELECT ${d.col('Id')} AS ${d.col('id')}, ${d.col('ComponentId')} AS ${d.col('componentId')}, ` +
      `${d.col('Status')} AS ${d.col('status')}, ${d.col('Log')} AS ${d.col('log')} FROM ` +
      `${d.table('DeploymentResult')} WHERE ${d.col('DeploymentRequestId')} = ${s.bind(requestId)} ` +
      `ORDER BY ${d.col('Id')}`;
    const rows = await this.d.select<Row>(this.dataSource, sql, s.values);
    return rows.map((r) => ({
      id: Number(r.id),
      componentId: Number(r.componentId),
      status: String(r.status) as ResultStatus,
      log: typeof r.log === 'string' ? r.log : '',
    }));
  }

  /** Inserts a result row if the fence holds; returns false when fenced. */
  async insert(requestId: number, componentId: number, status: ResultStatus, fence: Fence) {
    const d = this.d;
    const s = d.params();
    const sql =
      `INSERT INTO ${d.table('DeploymentResult')} (${d.col('DeploymentRequestId')}, ` +
      `${d.col('ComponentId')}, ${d.col('Status')}, ${d.col('Log')}) SELECT ${s.bind(requestId)}, ` +
      `${s.bind(componentId)}, ${s.bind(status)}, ${s.bind('')} WHERE EXISTS (SELECT 1 FROM ` +
      `${d.table('DeploymentRequest')} r WHERE r.${d.col('Id')} = ${s.bind(requestId)} AND ` +
      `${ownedBy(d, s, fence, 'r')})`;
    return (await this.d.execute(this.dataSource, sql, s.values)) === 1;
  }

  /** Fenced update of one result row. */
  async update(
    requestId: number,
    resultId: number,
    fence: Fence,
    set: Partial<Record<'Status' | 'StartedTime' | 'CompletedTime' | 'Log', unknown>>,
  ): Promise<boolean> {
    const d = this.d;
    const s = d.params();
    const assignments = Object.entries(set).map(
      ([col, value]) => `${d.col(col)} = ${s.bind(value)}`,
    );
    const sql =
      `UPDATE ${d.table('DeploymentResult')} SET ${assignments.join(', ')} WHERE ${d.col('Id')} = ` +
      `${s.bind(resultId)} AND EXISTS (SELECT 1 FROM ${d.table('DeploymentRequest')} r WHERE ` +
      `r.${d.col('Id')} = ${s.bind(requestId)} AND ${ownedBy(d, s, fence, 'r')})`;
    return (await this.d.execute(this.dataSource, sql, s.values)) === 1;
  }

  /** Results still Pending when a run ends become Cancelled. */
  async cancelPending(requestId: number, fence: Fence): Promise<number> {
    const d = this.d;
    const s = d.params();
    const sql =
      `UPDATE ${d.table('DeploymentResult')} SET ${d.col('Status')} = ${s.bind('Cancelled')} WHERE ` +
      `${d.col('DeploymentRequestId')} = ${s.bind(requestId)} AND ${d.col('Status')} = ` +
      `${s.bind('Pending')} AND EXISTS (SELECT 1 FROM ${d.table('DeploymentRequest')} r WHERE ` +
      `r.${d.col('Id')} = ${s.bind(requestId)} AND ${ownedBy(d, s, fence, 'r')})`;
    return this.d.execute(this.dataSource, sql, s.values);
  }

  /** Recovery of someone else's orphaned run: its unfinished results become Cancelled. */
  async closeUnfinished(requestId: number): Promise<number> {
    const d = this.d;
    const s = d.params();
    const sql =
      `UPDATE ${d.table('DeploymentResult')} SET ${d.col('Status')} = ${s.bind('Cancelled')}, ` +
      `${d.col('CompletedTime')} = ${s.bind(new Date())} WHERE ${d.col('DeploymentRequestId')} = ` +
      `${s.bind(requestId)} AND ${d.col('Status')} IN (${s.list(['Pending', 'Running'])})`;
    return this.d.execute(this.dataSource, sql, s.values);
  }
}
