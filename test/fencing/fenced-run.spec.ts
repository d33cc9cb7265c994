/**
 * Issue 6, criterion 1 in a running monitor: when the environment's epoch moves on under a run
 * (another replica took over), the run's next lease renewal is refused, the script's whole
 * process group dies at once, a fencing rejection is counted and logged, and the fenced replica
 * writes nothing more to the request.
 */
import { join } from 'node:path';
import { AppLogger } from '../../src/logging/app-logger';
import { DeploymentRequestEntity } from '../../src/persistence/entities/deployment-request.entity';
import { DbKind, EngineHarness } from '../support/engine-harness';
import {
  HaSql,
  haSettings,
  isAlive,
  killGroup,
  readPid,
  sleep,
  suffix,
  waitUntil,
  whenGone,
} from './fencing-fixtures';

const LEASE_SECONDS = 3;
const RENEW_EVERY_MS = (LEASE_SECONDS * 1000) / 5;
const OTHER = 'replica-elsewhere';

interface Variant {
  kind: DbKind;
  ha: boolean;
}

const VARIANTS: Variant[] = [
  { kind: 'sqlite', ha: false },
  { kind: 'postgres', ha: false },
  { kind: 'postgres', ha: true },
];

describe.each(VARIANTS)('a fenced run on $kind (HA $ha)', ({ kind, ha }) => {
  let h: EngineHarness;
  let sql: HaSql;
  let pids: number[] = [];
  const env = `Fenced-${suffix()}`;
  const monitorId = `fenced-run-${suffix()}`;

  beforeEach(async () => {
    h = await EngineHarness.create(kind);
    sql = new HaSql(h.dataSource);
    pids = [];
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    await h.cleanup();
    pids.forEach(killGroup);
  });

  function settings(): Record<string, string> {
    const lease = { AppSettings__HighAvailability__RequestLeaseSeconds: String(LEASE_SECONDS) };
    return ha ? haSettings(monitorId, lease) : { AppSettings__MonitorId: monitorId, ...lease };
  }

  /** First run: records its pids and sleeps long. Any later run (after recovery) ends at once. */
  async function longOnceScript(): Promise<void> {
    const dir = h.scriptRoot;
    await h.script(
      'long.sh',
      [
        `if [ -e "${dir}/ran-once" ]; then echo "second run"; exit 0; fi`,
        `touch "${dir}/ran-once"`,
        `echo $$ > "${dir}/script.pid"`,
        'sleep 120 &',
        `echo $! > "${dir}/child.pid"`,
        'wait',
      ].join('\n'),
    );
    await h.catalog('App', [{ name: env }], [{ name: 'Long', script: 'long.sh' }]);
  }

  it('kills the script group within two renewals, counts and logs the rejection, writes nothing', async () => {
    await longOnceScript();
    const warn = jest.spyOn(AppLogger.prototype, 'warn');
    const id = await h.submit(env, ['Long']);
    const runtime = await h.start(settings());
    await h.waitFor(id, (r) => r.status === 'Running');
    const scriptPid = await readPid(join(h.scriptRoot, 'script.pid'));
    const childPid = await readPid(join(h.scriptRoot, 'child.pid'));
    pids = [scriptPid];
    const claimed = await h.request(id);
    expect(claimed).toMatchObject({ ownerId: monitorId, epoch: 1 });

    // Replica B takes the environment and starts its own (long) request there.
    const takenAt = Date.now();
    await sql.bumpEpoch(env, OTHER);
    const theirs = await h.submit(env, ['Long']);
    await h.dataSource
      .getRepository(DeploymentRequestEntity)
      .update({ id: theirs }, { status: 'Running', ownerId: OTHER, epoch: 2 });
    await sql.setLease(theirs, 60_000);

    const goneAt = await whenGone(scriptPid, 2 * RENEW_EVERY_MS + 2000);
    expect(goneAt).not.toBeNull();
    const killMs = goneAt! - takenAt;
    console.log(
      `[fenced-run ${kind} HA ${ha}] script group killed ${killMs} ms after the epoch moved`,
    );
    expect(killMs).toBeLessThanOrEqual(2 * RENEW_EVERY_MS + 1000);
    expect(await whenGone(childPid, 1000)).not.toBeNull();

    await waitUntil(
      'a fencing rejection',
      async () => (await counter(runtime.metrics.fencingRejections)) >= 1,
      5000,
    );
    const logged = warn.mock.calls.find(([message]) => /fenced/i.test(message));
    expect(logged?.[1]).toMatchObject({ requestId: id, environment: env });

    // While B's lease is live the fenced replica leaves the request exactly as it was.
    await sleep(1500);
    const after = await h.request(id);
    expect(after).toMatchObject({
      status: 'Running',
      ownerId: monitorId,
      epoch: 1,
      completedTime: null,
    });
    expect((await h.results(id)).map((r) => r.status)).toEqual(['Running']);
    expect(await sql.fenceRow(env)).toEqual({ epoch: 2, ownerId: OTHER });
    expect(runtime.scheduler.runs.has(id)).toBe(false);

    // B finishes; the environment is free again: the orphan is recovered and run again.
    await h.dataSource
      .getRepository(DeploymentRequestEntity)
      .update({ id: theirs }, { status: 'Completed', leaseExpiresAt: null });
    const done = await h.waitFinal(id, 20_000);
    expect(done.status).toBe('Completed');
    expect(done.attempt).toBe(2);
    expect(done.log).toContain('Recovered by');
    expect(await counter(runtime.metrics.fencingRejections)).toBe(1);
    expect(isAlive(scriptPid)).toBe(false);
  });

  it('a run whose request row was taken over (owner changed) is stopped the same way', async () => {
    await longOnceScript();
    const id = await h.submit(env, ['Long']);
    const runtime = await h.start(settings());
    await h.waitFor(id, (r) => r.status === 'Running');
    const scriptPid = await readPid(join(h.scriptRoot, 'script.pid'));
    pids = [scriptPid];

    const takenAt = Date.now();
    await sql.bumpEpoch(env, OTHER);
    await h.dataSource
      .getRepository(DeploymentRequestEntity)
      .update({ id }, { ownerId: OTHER, epoch: 2 });
    await sql.setLease(id, 60_000);

    const goneAt = await whenGone(scriptPid, 2 * RENEW_EVERY_MS + 2000);
    expect(goneAt).not.toBeNull();
    expect(goneAt! - takenAt).toBeLessThanOrEqual(2 * RENEW_EVERY_MS + 1000);
    await waitUntil(
      'a fencing rejection',
      async () => (await counter(runtime.metrics.fencingRejections)) >= 1,
      5000,
    );
    await sleep(1000);
    expect(await h.request(id)).toMatchObject({
      status: 'Running',
      ownerId: OTHER,
      epoch: 2,
      completedTime: null,
    });
  });
});

async function counter(metric: {
  get(): Promise<{ values: Array<{ value: number }> }>;
}): Promise<number> {
  const { values } = await metric.get();
  return values.reduce((sum, v) => sum + v.value, 0);
}

describe('a restart is not a fencing rejection', () => {
  let h: EngineHarness;
  let pids: number[] = [];

  beforeEach(async () => {
    h = await EngineHarness.create('sqlite');
  });

  afterEach(async () => {
    await h.cleanup();
    pids.forEach(killGroup);
  });

  it('Restarting written while the run renews its lease restarts it without counting it as fenced', async () => {
    const dir = h.scriptRoot;
    await h.script(
      'long.sh',
      [
        `if [ -e "${dir}/ran-once" ]; then exit 0; fi`,
        `touch "${dir}/ran-once"`,
        `echo $$ > "${dir}/script.pid"`,
        'sleep 120',
      ].join('\n'),
    );
    await h.catalog('App', [{ name: 'Env' }], [{ name: 'Long', script: 'long.sh' }]);
    const id = await h.submit('Env', ['Long']);
    // A slow poll: the lease renewal (every 600 ms) sees the new status before the poll does.
    const runtime = await h.start({
      AppSettings__HighAvailability__RequestLeaseSeconds: String(LEASE_SECONDS),
      AppSettings__RequestProcessingIterationDelayMs: '3000',
    });
    await h.waitFor(id, (r) => r.status === 'Running');
    const scriptPid = await readPid(join(dir, 'script.pid'));
    pids = [scriptPid];
    await h.setStatus(id, 'Restarting');
    expect(await whenGone(scriptPid, 10_000)).not.toBeNull();
    expect((await h.waitFinal(id, 20_000)).status).toBe('Completed');
    expect(await counter(runtime.metrics.fencingRejections)).toBe(0);
  });
});
