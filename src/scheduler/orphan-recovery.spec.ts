import type { RequestStatus } from '../persistence/entities/deployment-request.entity';
import { isOrphan } from './orphan-recovery';
import { OpenRequest } from './request.store';

const NOW = 1_000_000;
const ME = 'me';

function row(
  status: RequestStatus,
  ownerId: string | null,
  leaseExpiresAt: number | null,
): OpenRequest {
  return { id: 1, environment: 'Env', status, ownerId, epoch: 1, leaseExpiresAt, nowMs: NOW };
}

const nothingHere = () => false;

describe('isOrphan', () => {
  it.each(['Pending', 'Confirmed', 'Paused', 'Restarting'] as RequestStatus[])(
    '%s is never an orphan',
    (status) => {
      expect(isOrphan(row(status, 'other', NOW - 1), ME, nothingHere)).toBe(false);
    },
  );

  it.each(['Requesting', 'Running', 'Cancelling'] as RequestStatus[])(
    '%s of another replica is an orphan only once its lease lapsed (database clock)',
    (status) => {
      expect(isOrphan(row(status, 'other', NOW + 1), ME, nothingHere)).toBe(false);
      expect(isOrphan(row(status, 'other', NOW), ME, nothingHere)).toBe(false);
      expect(isOrphan(row(status, 'other', NOW - 1), ME, nothingHere)).toBe(true);
      expect(isOrphan(row(status, 'other', null), ME, nothingHere)).toBe(true);
    },
  );

  it('a claimed request with no owner, or owned by an earlier life of this replica, is an orphan', () => {
    expect(isOrphan(row('Running', null, NOW + 60_000), ME, nothingHere)).toBe(true);
    expect(isOrphan(row('Running', ME, NOW + 60_000), ME, nothingHere)).toBe(true);
  });

  it('what this replica is running right now is never an orphan', () => {
    expect(isOrphan(row('Running', ME, NOW - 60_000), ME, (id) => id === 1)).toBe(false);
    expect(isOrphan(row('Running', 'other', NOW - 60_000), ME, (id) => id === 1)).toBe(false);
  });
});
