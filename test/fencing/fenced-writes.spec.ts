/**
 * Issue 6, criterion 1 at the database level: once another replica has taken the environment
 * (a newer epoch), every write of the old holder affects nothing, on SQLite and PostgreSQL.
 */
import {
  DeploymentRequestEntity,
  RequestStatus,
} from '../../src/persistence/entities/deployment-request.entity';
import { DeploymentResultEntity } from '../../src/persistence/entities/deployment-result.entity';
import { EnvironmentFenceStore } from '../../src/scheduler/environment-fence.store';
import { Fence } from '../../src/scheduler/fence';
import { OpenRequest, RequestStore } from '../../src/scheduler/request.store';
import { ResultStore } from '../../src/scheduler/result.store';
import { TestDatabase, withPostgres, withSqlite } from '../support/databases';
import { HaSql } from './fencing-fixtures';

const ENV = 'Staging';
const LEASE_MS = 60_000;
const A = 'replica-a';
const B = 'replica-b';

describe.each(['sqlite', 'postgres'] as const)('fenced writes on %s', (kind) => {
  let db: TestDatabase;
  let fences: EnvironmentFenceStore;
  let requests: RequestStore;
  let results: ResultStore;
  let sql: HaSql;

  beforeEach(async () => {
    db = kind === 'sqlite' ? await withSqlite() : await withPostgres();
    fences = new EnvironmentFenceStore(db.dataSource);
    requests = new RequestStore(db.dataSource);
    results = new ResultStore(db.dataSource);
    sql = new HaSql(db.dataSource);
  });

  afterEach(async () => {
    await db.cleanup();
  });

  async function addRequest(status: RequestStatus = 'Pending', environment = ENV): Promise<number> {
    const repo = db.dataSource.getRepository(DeploymentRequestEntity);
    const row = await repo.save({
      status,
      environment,
      isProd: false,
      project: 'App',
      attempt: 0,
      requestDetails: '',
    });
    return row.id;
  }

  async function snapshot(ids: number[]) {
    const reqs = await db.dataSource
      .getRepository(DeploymentRequestEntity)
      .find({ order: { id: 'ASC' } });
    const res = await db.dataSource
      .getRepository(DeploymentResultEntity)
      .find({ order: { id: 'ASC' } });
    return { requests: reqs.filter((r) => ids.includes(r.id)), results: res };
  }

  async function openRow(id: number): Promise<OpenRequest> {
    const row = (await requests.open(false, ENV)).find((r) => r.id === id);
    if (!row) throw new Error(`request ${id} is not open`);
    return row;
  }

  /** A holds epoch 1 and runs `first` with one result row; `second` waits behind it. */
  async function aRunning() {
    const first = await addRequest();
    const second = await addRequest();
    const fenceA = (await fences.take(ENV, A))!;
    expect(fenceA).toEqual({ environment: ENV, epoch: 1, ownerId: A });
    expect(await requests.claim(first, 'Pending', fenceA, LEASE_MS)).toBe(true);
    expect(
      await requests.update(first, fenceA, { Status: 'Running' }, { expectStatus: ['Requesting'] }),
    ).toBe(true);
    expect(await results.insert(first, 7, 'Pending', fenceA)).toBe(true);
    const [result] = await results.list(first);
    expect(await results.update(first, result.id, fenceA, { Status: 'Running' })).toBe(true);
    return { first, second, fenceA, resultId: result.id };
  }

  it('a replica cannot take the environment while another replica holds a live lease there', async () => {
    const { first } = await aRunning();
    expect(await fences.take(ENV, B)).toBeNull();
    expect(await sql.fenceRow(ENV)).toEqual({ epoch: 1, ownerId: A });

    await sql.setLease(first, -1000);
    expect(await fences.take(ENV, B)).toEqual({ environment: ENV, epoch: 2, ownerId: B });
    expect(await sql.fenceRow(ENV)).toEqual({ epoch: 2, ownerId: B });
  });

  it('after B took over, every write of A affects nothing and the rows stay as they were', async () => {
    const { first, second, fenceA, resultId } = await aRunning();
    await sql.setLease(first, -1000);
    expect(await fences.take(ENV, B)).not.toBeNull();
    const before = await snapshot([first, second]);

    expect(await requests.update(first, fenceA, { Status: 'Running' })).toBe(false);
    expect(
      await requests.update(
        first,
        fenceA,
        { Status: 'Completed', CompletedTime: new Date() },
        { clearLease: true },
      ),
    ).toBe(false);
    expect(await requests.renewLease(first, fenceA, LEASE_MS)).toBe(false);
    expect(await results.insert(first, 8, 'Pending', fenceA)).toBe(false);
    expect(await results.update(first, resultId, fenceA, { Status: 'Complete', Log: 'late' })).toBe(
      false,
    );
    expect(await results.cancelPending(first, fenceA)).toBe(0);
    expect(await requests.claim(second, 'Pending', fenceA, LEASE_MS)).toBe(false);
    expect(await requests.recover(await openRow(first), fenceA, { Status: 'Pending' }, true)).toBe(
      false,
    );

    expect(await snapshot([first, second])).toEqual(before);
  });

  it('an older epoch of the same replica is fenced too', async () => {
    const { first, fenceA } = await aRunning();
    const again = (await fences.take(ENV, A))!;
    expect(again.epoch).toBe(2);
    const before = await snapshot([first]);

    expect(await requests.renewLease(first, fenceA, LEASE_MS)).toBe(false);
    expect(await requests.update(first, fenceA, { Status: 'Completed' })).toBe(false);
    expect(await snapshot([first])).toEqual(before);
  });

  it('a claim is a compare-and-set on the status that was read', async () => {
    const id = await addRequest();
    const fence = (await fences.take(ENV, A))!;
    await sql.setStatus(id, 'Cancelling');
    expect(await requests.claim(id, 'Pending', fence, LEASE_MS)).toBe(false);
    expect((await snapshot([id])).requests[0]).toMatchObject({
      status: 'Cancelling',
      ownerId: null,
      epoch: null,
    });
  });

  it("B recovers A's request only once A's lease has lapsed", async () => {
    const { first, resultId } = await aRunning();
    await sql.setLease(first, -1000);
    const fenceB = (await fences.take(ENV, B))!;
    // A renewal that got in between (a slow owner): the lease is live again, hands off.
    await sql.setLease(first, LEASE_MS);
    const before = await snapshot([first]);
    expect(await requests.recover(await openRow(first), fenceB, { Status: 'Pending' }, true)).toBe(
      false,
    );
    expect(await snapshot([first])).toEqual(before);

    await sql.setLease(first, -1);
    expect(await requests.recover(await openRow(first), fenceB, { Status: 'Pending' }, true)).toBe(
      true,
    );
    const [row] = (await snapshot([first])).requests;
    expect(row).toMatchObject({
      status: 'Pending',
      ownerId: null,
      epoch: null,
      leaseExpiresAt: null,
    });
    expect((await results.list(first)).map((r) => r.id)).toEqual([resultId]);
  });

  it('B, once it holds the environment, claims the next request; A cannot', async () => {
    const { first, second, fenceA } = await aRunning();
    await sql.setLease(first, -1000);
    const fenceB = (await fences.take(ENV, B))!;
    expect(await requests.claim(second, 'Pending', fenceA, LEASE_MS)).toBe(false);
    expect(await requests.claim(second, 'Pending', fenceB, LEASE_MS)).toBe(true);
    const row = (await snapshot([second])).requests[0];
    expect(row).toMatchObject({ status: 'Requesting', ownerId: B, epoch: 2, attempt: 1 });
  });

  it('restartIdle leaves a request with a live lease alone, and restarts it once the lease lapsed', async () => {
    const { first } = await aRunning();
    await sql.setStatus(first, 'Restarting');
    const before = await snapshot([first]);
    expect(await requests.restartIdle(first)).toBe(false);
    expect(await snapshot([first])).toEqual(before);

    await sql.setLease(first, -1);
    expect(await requests.restartIdle(first)).toBe(true);
    expect((await snapshot([first])).requests[0]).toMatchObject({
      status: 'Pending',
      ownerId: null,
      epoch: null,
    });
    expect(await results.list(first)).toEqual([]);
  });

  it('the epoch survives reopening the database and only ever grows', async () => {
    const seen: number[] = [];
    for (const owner of [A, B, A]) seen.push((await fences.take(ENV, owner))!.epoch);
    expect(seen).toEqual([1, 2, 3]);
    await db.dataSource.destroy();
    await db.dataSource.initialize();
    const next = await new EnvironmentFenceStore(db.dataSource).take(ENV, B);
    expect(next?.epoch).toBe(4);
  });

  it('abandonStale takes only claimed requests of its tier whose lease lapsed longer ago than the limit', async () => {
    const lease = async (status: RequestStatus, offsetMs: number, isProd = false) => {
      const repo = db.dataSource.getRepository(DeploymentRequestEntity);
      const { id } = await repo.save({
        status,
        environment: ENV,
        isProd,
        attempt: 1,
        ownerId: A,
        epoch: 1,
      });
      await sql.setLease(id, offsetMs);
      return id;
    };
    const stale = await lease('Running', -5000);
    const staleClaim = await lease('Requesting', -5000);
    const recent = await lease('Running', -200);
    const live = await lease('Running', 60_000);
    const otherTier = await lease('Running', -5000, true);
    const pending = await addRequest('Pending');

    expect(await requests.abandonStale(false, 2000)).toBe(2);
    const rows = (await snapshot([stale, staleClaim, recent, live, otherTier, pending])).requests;
    expect(rows.map((r) => [r.id, r.status])).toEqual([
      [stale, 'Abandoned'],
      [staleClaim, 'Abandoned'],
      [recent, 'Running'],
      [live, 'Running'],
      [otherTier, 'Running'],
      [pending, 'Pending'],
    ]);
    expect(rows[0].completedTime).not.toBeNull();
  });

  it('fences are per environment', async () => {
    const { first, fenceA } = await aRunning();
    const other: Fence = (await fences.take('Other', B))!;
    expect(other.epoch).toBe(1);
    expect(await requests.renewLease(first, fenceA, LEASE_MS)).toBe(true);
  });
});
