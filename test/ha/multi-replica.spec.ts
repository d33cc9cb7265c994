/**
 * Issue 4, criterion 5 (the guide's "Testing HA Setup"): three real monitor processes over one
 * PostgreSQL database and the shared RabbitMQ share six environments without ever running two
 * deployments of one environment at once; then one replica is killed with SIGKILL mid-run and the
 * others finish everything, recovering its in-flight request after the request lease; and one
 * stopped with SIGTERM (the guide's planned downtime) finishes its run and hands over at once.
 */
import type { DeploymentRequestEntity } from '../../src/persistence/entities/deployment-request.entity';
import { overlapsWithin } from '../support/engine-harness';
import { MonitorCluster } from '../support/monitor-cluster';
import { rabbitTargetFromEnv } from '../support/monitor-config';
import { runIntervals, startCounts, startOrderByEnvironment } from '../support/monitor-records';
import type { OwnedRun, RecordingSetup } from '../support/monitor-workload';

const ENVIRONMENTS = 6;
const SCRIPT_SECONDS = 0.7;
const KILL_SCRIPT_SECONDS = 2;
/** RequestLeaseSeconds: the cluster's default, the product's default. */
const LEASE_SECONDS = 10;

describe('three monitor replicas against PostgreSQL and RabbitMQ (issue 4, criterion 5)', () => {
  let cluster: MonitorCluster;
  let setup: RecordingSetup;

  beforeAll(async () => {
    cluster = await MonitorCluster.start({ replicas: 3 });
    setup = await cluster.work.recordingSetup(ENVIRONMENTS, SCRIPT_SECONDS);
  }, 90_000);

  afterAll(() => cluster?.stopAll(), 60_000);

  it('runs 24 requests in 6 environments: no overlap, Id order, several replicas, all Completed', async () => {
    const ids = await cluster.work.submitRound(setup, 4);

    const rows = await cluster.waitFinal(ids, 90_000);
    const runs = (await cluster.work.runs()).filter((r) => ids.includes(r.requestId));

    expect(rows.filter((r) => r.status !== 'Completed')).toEqual([]);
    expect([...startCounts(runs).entries()].filter(([, n]) => n !== 1)).toEqual([]);
    expect(runs.filter((r) => r.end === null)).toEqual([]);
    expect(overlapsWithin(runIntervals(runs))).toEqual([]);
    expectIdOrder(runs, rows);
    const workers = new Set(rows.map((r) => r.ownerId));
    expect(workers.size).toBeGreaterThan(1);
    for (const owner of workers) expect(cluster.replicaIds).toContain(owner);
    expectGuideLogLines(rows);
  }, 120_000);

  it('a replica killed with SIGKILL mid-run: the others finish every request and recover its run', async () => {
    // Longer runs now, so that the kill surely lands while the chosen script is running.
    await cluster.work.recordingScript('record.sh', KILL_SCRIPT_SECONDS);
    const ids = await cluster.work.submitRound(setup, 3);
    const victim = await runningRequest(ids);
    const killed = victim.ownerId!;
    cluster.kill(killed, 'SIGKILL');
    const exit = await cluster.waitExit(killed);

    const rows = await cluster.waitFinal(ids, 120_000);
    const runs = (await cluster.work.runs()).filter((r) => ids.includes(r.requestId));
    const cut = runs.filter((r) => r.end === null).map((r) => r.requestId);
    const recovered = rows.filter((r) => recoveryNote(killed).test(r.log ?? '')).map((r) => r.id);
    const ranTwice = [...startCounts(runs).entries()].filter(([, n]) => n > 1).map(([id]) => id);

    expect(exit.signal).toBe('SIGKILL');
    expect(rows.filter((r) => r.status !== 'Completed')).toEqual([]);
    expect(await cluster.work.openRequests()).toEqual([]);
    expect(cut).toContain(victim.id);
    expect(runs.filter((r) => r.end === null && r.start > exit.at)).toEqual([]);
    expect(recovered).toEqual(expect.arrayContaining([...cut, ...ranTwice]));
    for (const row of rows.filter((r) => recovered.includes(r.id))) expectRecovered(row, killed);
    expect(overlapsWithin(runIntervals(runs, exit.at))).toEqual([]);
    expectIdOrder(runs, rows);
    // Taken over only once the lease had run out: renewed every fifth of it, it had at least
    // four fifths (less a margin for the database round trip) left when the owner died.
    const rerun = runs.find((r) => r.requestId === victim.id && r.end !== null)!;
    expect(rerun.start - exit.at).toBeGreaterThan(LEASE_SECONDS * 800 - 500);
  }, 180_000);

  it('a replica stopped with SIGTERM finishes its run, exits 0 and hands its environments over', async () => {
    const down = cluster.replicaIds.find((id) => !cluster.replica(id).isRunning())!;
    await cluster.start(down);
    const ids = await cluster.work.submitRound(setup, 2);
    const victim = await runningRequest(ids);
    const stopping = victim.ownerId!;
    const sentAt = Date.now();
    cluster.kill(stopping, 'SIGTERM');
    const exit = await cluster.waitExit(stopping, 30_000);

    const rows = await cluster.waitFinal(ids, 90_000);
    const runs = (await cluster.work.runs()).filter((r) => ids.includes(r.requestId));
    const victimRuns = runs.filter((r) => r.requestId === victim.id);
    const next = runs.find((r) => r.environment === victim.environment && r.requestId > victim.id);

    expect(exit.code).toBe(0);
    expect(rows.filter((r) => r.status !== 'Completed')).toEqual([]);
    expect([...startCounts(runs).entries()].filter(([, n]) => n !== 1)).toEqual([]);
    expect(victimRuns[0].end).not.toBeNull();
    const victimRow = rows.find((r) => r.id === victim.id)!;
    expect(victimRow.ownerId).toBe(stopping);
    expect(victimRow.log ?? '').not.toMatch(/Recovered by/);
    expect(runs.filter((r) => r.replica === stopping && r.start > sentAt + 500)).toEqual([]);
    // Handed over at once (lock released), not after the request lease ran out.
    expect(next!.start - exit.at).toBeLessThan(LEASE_SECONDS * 1000);
    const released = `Released distributed lock for environment '${victim.environment}'`;
    expect(cluster.logs(stopping).some((l) => l.json?.msg === released)).toBe(true);
    expect(overlapsWithin(runIntervals(runs))).toEqual([]);
    expectIdOrder(runs, rows);
  }, 120_000);

  /** The request whose script started last among those still running, once there is one. */
  async function runningRequest(ids: number[]): Promise<DeploymentRequestEntity> {
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const started = (await cluster.work.runs()).filter(
        (r) => ids.includes(r.requestId) && r.end === null,
      );
      const latest = started.sort((a, b) => b.start - a.start).map((r) => r.requestId);
      const rows = await cluster.work.requests(latest);
      const running = latest
        .map((id) => rows.find((r) => r.id === id))
        .find((r) => r?.status === 'Running' && r.ownerId !== null);
      if (running) return running;
      await new Promise((done) => setTimeout(done, 50));
    }
    throw new Error('no request started running within 30 s');
  }

  /** The note OrphanRecovery leaves in the Log of a request it took over from `killed`. */
  function recoveryNote(killed: string): RegExp {
    const reason = 'its owner stopped renewing its lease';
    return new RegExp(`Recovered by replica-\\d: ${reason} \\(previous owner ${killed}\\b`);
  }

  /** Recovered by another replica under RecoveryPolicy Resume, which says so in its log. */
  function expectRecovered(row: DeploymentRequestEntity, killed: string) {
    expect(row.status).toBe('Completed');
    expect(row.ownerId).not.toBe(killed);
    expect(row.log).toMatch(/RecoveryPolicy Resume/);
    const recoverer = /Recovered by (replica-\d)/.exec(row.log ?? '')![1];
    const line = cluster
      .logs(recoverer)
      .find((l) => l.json?.msg === 'Recovered orphaned request' && l.json.requestId === row.id);
    expect(line?.json).toMatchObject({ previousOwner: killed, outcome: 'Pending' });
  }

  /** Within each environment, requests first started in Id order, and every one of them ran. */
  function expectIdOrder(runs: OwnedRun[], rows: DeploymentRequestEntity[]) {
    for (const environment of setup.environments) {
      const expected = rows.filter((r) => r.environment === environment).map((r) => r.id);
      expect({ environment, order: startOrderByEnvironment(runs).get(environment) }).toEqual({
        environment,
        order: expected,
      });
    }
  }

  /** The HA guide's lines: the broker connection, and the lock taken for each environment. */
  function expectGuideLogLines(rows: DeploymentRequestEntity[]) {
    const { host, port } = rabbitTargetFromEnv();
    for (const id of cluster.replicaIds) {
      const established = cluster
        .logs(id)
        .some((l) => l.json?.msg === `Established RabbitMQ connection to ${host}:${port}`);
      expect({ id, established }).toEqual({ id, established: true });
    }
    const acquired = cluster
      .allLogs()
      .map((l) => ({
        replica: l.replica,
        m: /^Acquired distributed lock for environment '(.+)' to process request (\d+)$/.exec(
          l.json?.msg ?? '',
        ),
      }))
      .filter((x) => x.m !== null);
    for (const environment of setup.environments) {
      expect(acquired.some((a) => a.m![1] === environment)).toBe(true);
    }
    for (const { replica, m } of acquired) {
      const row = rows.find((r) => r.id === Number(m![2]));
      if (row)
        expect({ request: row.id, environment: m![1], by: replica }).toEqual({
          request: row.id,
          environment: row.environment,
          by: row.ownerId,
        });
    }
  }
});
