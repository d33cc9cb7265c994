import { DataSource } from 'typeorm';
import type { RequestStatus } from '../persistence/entities/deployment-request.entity';
import { Fence } from './fence';
import { fenceHolds, ownedBy } from './fence-sql';
import { text, textOrNull } from '../persistence/row-values';
import { SqlDialect } from '../persistence/sql-dialect';
import type { SqlParams } from '../persistence/sql-params';

type Row = Record<string, unknown>;

/** Statuses that still need the monitor's attention. Finished rows are never read by the poll. */
export const OPEN_STATUSES: readonly RequestStatus[] = [
  'Pending',
  'Confirmed',
  'Requesting',
  'Running',
  'Paused',
  'Cancelling',
  'Restarting',
];
export const CLAIMED_STATUSES: readonly RequestStatus[] = ['Requesting', 'Running', 'Cancelling'];
/** A run may still be going in these: Restarting is written over a running request too. */
export const LEASED_STATUSES: readonly RequestStatus[] = [...CLAIMED_STATUSES, 'Restarting'];

/**
 * A Restarting request whose owner still runs it (its lease is live): it blocks its environment.
 */
export function isRestartInFlight(r: OpenRequest): boolean {
  return r.status === 'Restarting' && r.leaseExpiresAt !== null && r.leaseExpiresAt > r.nowMs;
}

export interface OpenRequest {
  id: number;
  environment: string;
  status: RequestStatus;
  ownerId: string | null;
  epoch: number | null;
  leaseExpiresAt: number | null;
  /** The database clock when the row was read. */
  nowMs: number;
}

/** The request rows of the poll and of a run; every write of a run is fenced. */
export class RequestStore {
  readonly d: SqlDialect;

  constructor(readonly dataSource: DataSource) {
    this.d = SqlDialect.of(dataSource);
  }

  /** Open requests of one tier (optionally one environment), lowest Id first. */
  async open(isProd: boolean, environment?: string): Promise<OpenRequest[]> {
    const d = this.d;
    const s = d.params();
    const sql =
      `SELECT ${d.col('Id')} AS ${d.col('id')}, ${d.col('Environment')} AS ${d.col('environment')}, ` +
      `${d.col('Status')} AS ${d.col('status')}, ${d.col('OwnerId')} AS ${d.col('ownerId')}, ` +
      `${d.col('Epoch')} AS ${d.col('epoch')}, ${d.col('LeaseExpiresAt')} AS ${d.col('leaseExpiresAt')}, ` +
      `${d.nowMs()} AS ${d.col('nowMs')} FROM ${d.table('DeploymentRequest')} ` +
      `WHERE ${d.col('Status')} IN (${s.list(OPEN_STATUSES)}) AND ${d.col('IsProd')} = ${s.bind(isProd)}` +
      (environment === undefined ? '' : ` AND ${d.col('Environment')} = ${s.bind(environment)}`) +
      ` ORDER BY ${d.col('Id')}`;
    return (await this.d.select<Row>(this.dataSource, sql, s.values)).map(toOpenRequest);
  }

  /** Compare-and-set pickup: the status must still be the one read, and the fence must hold. */
  async claim(id: number, readStatus: RequestStatus, fence: Fence, leaseMs: number) {
    const d = this.d;
    const s = d.params();
    const sql =
      `UPDATE ${d.table('DeploymentRequest')} SET ${d.col('Status')} = ${s.bind('Requesting')}, ` +
      `${d.col('OwnerId')} = ${s.bind(fence.ownerId)}, ${d.col('Epoch')} = ${s.bind(fence.epoch)}, ` +
      `${d.col('LeaseExpiresAt')} = ${d.nowMs()} + ${s.bind(leaseMs)}, ` +
      `${d.col('Attempt')} = ${d.col('Attempt')} + 1 WHERE ${d.col('Id')} = ${s.bind(id)} ` +
      `AND ${d.col('Status')} = ${s.bind(readStatus)} AND ${fenceHolds(d, s, fence)}`;
    return (await this.d.execute(this.dataSource, sql, s.values)) === 1;
  }

  /** Fenced status change of an owned request; false when the fence no longer holds. */
  async update(
    id: number,
    fence: Fence,
    set: Partial<Record<'Status' | 'StartedTime' | 'CompletedTime' | 'Log', unknown>>,
    options: { expectStatus?: readonly RequestStatus[]; clearLease?: boolean } = {},
  ): Promise<boolean> {
    const d = this.d;
    const s = d.params();
    const assignments = Object.entries(set).map(
      ([col, value]) => `${d.col(col)} = ${s.bind(value)}`,
    );
    if (options.clearLease) assignments.push(`${d.col('LeaseExpiresAt')} = NULL`);
    let sql =
      `UPDATE ${d.table('DeploymentRequest')} SET ${assignments.join(', ')} WHERE ` +
      `${d.col('Id')} = ${s.bind(id)} AND ${ownedBy(d, s, fence)}`;
    // Bound after the rest: SQLite placeholders are positional.
    if (options.expectStatus) sql += ` AND ${d.col('Status')} IN (${s.list(options.expectStatus)})`;
    return (await this.d.execute(this.dataSource, sql, s.values)) === 1;
  }

  /** Extends the owner's lease, measured on the database clock. */
  async renewLease(id: number, fence: Fence, leaseMs: number): Promise<boolean> {
    const d = this.d;
    const s = d.params();
    const sql =
      `UPDATE ${d.table('DeploymentRequest')} SET ${d.col('LeaseExpiresAt')} = ${d.nowMs()} + ` +
      `${s.bind(leaseMs)} WHERE ${d.col('Id')} = ${s.bind(id)} AND ${d.col('Status')} IN ` +
      `(${s.list(LEASED_STATUSES)}) AND ${ownedBy(d, s, fence)}`;
    return (await this.d.execute(this.dataSource, sql, s.values)) === 1;
  }

  /**
   * Takes over an orphaned claimed request: only while this replica's fence holds and the
   * previous owner's lease has lapsed (or the previous owner is this replica's own earlier life).
   */
  async recover(
    row: OpenRequest,
    fence: Fence,
    set: Partial<Record<'Status' | 'CompletedTime' | 'Log', unknown>>,
    clearOwner: boolean,
  ): Promise<boolean> {
    const d = this.d;
    const s = d.params();
    const assignments = Object.entries(set).map(
      ([col, value]) => `${d.col(col)} = ${s.bind(value)}`,
    );
    assignments.push(`${d.col('LeaseExpiresAt')} = NULL`);
    if (clearOwner) assignments.push(`${d.col('OwnerId')} = NULL`, `${d.col('Epoch')} = NULL`);
    const sql =
      `UPDATE ${d.table('DeploymentRequest')} SET ${assignments.join(', ')} WHERE ` +
      `${d.col('Id')} = ${s.bind(row.id)} AND ${d.col('Status')} = ${s.bind(row.status)} AND ` +
      `${lapsedOrMine(d, s, fence.ownerId)} AND ${fenceHolds(d, s, fence)}`;
    return (await this.d.execute(this.dataSource, sql, s.values)) === 1;
  }

  async readLog(id: number): Promise<string> {
    const d = this.d;
    const s = d.params();
    const sql =
      `SELECT ${d.col('Log')} AS ${d.col('log')} FROM ` +
      `${d.table('DeploymentRequest')} WHERE ${d.col('Id')} = ${s.bind(id)}`;
    const [row] = await this.d.select<Row>(this.dataSource, sql, s.values);
    return typeof row?.log === 'string' ? row.log : '';
  }

  async readRequest(id: number): Promise<Row | undefined> {
    const d = this.d;
    const s = d.params();
    const table = d.table('DeploymentRequest');
    const sql = `SELECT * FROM ${table} WHERE ${d.col('Id')} = ${s.bind(id)}`;
    const [row] = await this.d.select<Row>(this.dataSource, sql, s.values);
    return row;
  }

  /** A request cancelled before anyone claimed it needs no owner to finish it. */
  async cancelUnclaimed(id: number, log: string): Promise<boolean> {
    const d = this.d;
    const s = d.params();
    const sql =
      `UPDATE ${d.table('DeploymentRequest')} SET ${d.col('Status')} = ${s.bind('Cancelled')}, ` +
      `${d.col('CompletedTime')} = ${s.bind(new Date())}, ${d.col('Log')} = ${s.bind(log)} WHERE ` +
      `${d.col('Id')} = ${s.bind(id)} AND ${d.col('Status')} = ${s.bind('Cancelling')} AND ` +
      `${d.col('OwnerId')} IS NULL`;
    return (await this.d.execute(this.dataSource, sql, s.values)) === 1;
  }

  /**
   * Restarting → Pending with its results deleted, unless a live owner still runs it. Results go
   * first: if the monitor dies in between, the request is still Restarting and the next turn
   * finishes the job.
   */
  async restartIdle(id: number): Promise<boolean> {
    const d = this.d;
    const idle = (s: SqlParams) =>
      `${d.col('Status')} = ${s.bind('Restarting')} AND (${d.col('LeaseExpiresAt')} IS NULL OR ` +
      `${d.col('LeaseExpiresAt')} < ${d.nowMs()})`;
    const del = d.params();
    const deleteSql =
      `DELETE FROM ${d.table('DeploymentResult')} WHERE ${d.col('DeploymentRequestId')} = ` +
      `${del.bind(id)} AND EXISTS (SELECT 1 FROM ${d.table('DeploymentRequest')} WHERE ` +
      `${d.col('Id')} = ${del.bind(id)} AND ${idle(del)})`;
    await d.execute(this.dataSource, deleteSql, del.values);
    const s = d.params();
    const sql =
      `UPDATE ${d.table('DeploymentRequest')} SET ${d.col('Status')} = ${s.bind('Pending')}, ` +
      `${d.col('OwnerId')} = NULL, ${d.col('Epoch')} = NULL, ${d.col('LeaseExpiresAt')} = NULL, ` +
      `${d.col('StartedTime')} = NULL, ${d.col('CompletedTime')} = NULL WHERE ${d.col('Id')} = ` +
      `${s.bind(id)} AND ${idle(s)}`;
    return (await d.execute(this.dataSource, sql, s.values)) === 1;
  }

  /** Marks claimed requests whose lease lapsed more than `afterMs` ago as Abandoned. */
  async abandonStale(isProd: boolean, afterMs: number): Promise<number> {
    const d = this.d;
    const s = d.params();
    const sql =
      `UPDATE ${d.table('DeploymentRequest')} SET ${d.col('Status')} = ${s.bind('Abandoned')}, ` +
      `${d.col('CompletedTime')} = ${s.bind(new Date())}, ${d.col('LeaseExpiresAt')} = NULL ` +
      `WHERE ${d.col('Status')} IN (${s.list(CLAIMED_STATUSES)}) AND ` +
      `${d.col('IsProd')} = ${s.bind(isProd)} AND (${d.col('LeaseExpiresAt')} < ${d.nowMs()} - ` +
      `${s.bind(afterMs)} OR (${d.col('LeaseExpiresAt')} IS NULL AND ${d.col('StartedTime')} < ` +
      `${s.bind(new Date(Date.now() - afterMs))}))`;
    return this.d.execute(this.dataSource, sql, s.values);
  }
}

function lapsedOrMine(d: SqlDialect, s: SqlParams, ownerId: string): string {
  return (
    `(${d.col('OwnerId')} IS NULL OR ${d.col('OwnerId')} = ${s.bind(ownerId)} OR ` +
    `${d.col('LeaseExpiresAt')} IS NULL OR ${d.col('LeaseExpiresAt')} < ${d.nowMs()})`
  );
}

function toOpenRequest(r: Row): OpenRequest {
  return {
    id: Number(r.id),
    environment: text(r.environment),
    status: String(r.status) as RequestStatus,
    ownerId: textOrNull(r.ownerId),
    epoch: r.epoch === null || r.epoch === undefined ? null : Number(r.epoch),
    leaseExpiresAt:
      r.leaseExpiresAt === null || r.leaseExpiresAt === undefined ? null : Number(r.leaseExpiresAt),
    nowMs: Number(r.nowMs),
  };
}
