import { Fence } from './fence';
import { SqlDialect } from '../persistence/sql-dialect';
import type { SqlParams } from '../persistence/sql-params';

/**
 * `EXISTS(...)` that is true only while `fence` is still the environment's current epoch and
 * owner. Every write of a run carries it in the same statement, so a replica that has been
 * superseded changes nothing.
 */
export function fenceHolds(d: SqlDialect, s: SqlParams, fence: Fence): string {
  return (
    `EXISTS (SELECT 1 FROM ${d.table('EnvironmentLock')} f WHERE f.${d.col('Environment')} = ` +
    `${s.bind(fence.environment)} AND f.${d.col('Epoch')} = ${s.bind(fence.epoch)} ` +
    `AND f.${d.col('OwnerId')} = ${s.bind(fence.ownerId)})`
  );
}

/** The request row is the one this fence claimed. */
export function ownedBy(d: SqlDialect, s: SqlParams, fence: Fence, alias = ''): string {
  const p = alias ? `${alias}.` : '';
  return (
    `${p}${d.col('OwnerId')} = ${s.bind(fence.ownerId)} AND ${p}${d.col('Epoch')} = ` +
    `${s.bind(fence.epoch)} AND ${fenceHolds(d, s, fence)}`
  );
}
