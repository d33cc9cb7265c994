/**
 * Issue 6, criterion 2: fault injection with three real monitor processes over PostgreSQL and a
 * RabbitMQ node this test owns, each replica talking to it through its own TCP proxy.
 * (a) SIGKILL the replica running a request; (b) SIGSTOP it for longer than its lease, then
 * SIGCONT; (c) cut it off from the broker for 10 s; (d) restart the broker; and (e) cancel a
 * request whose owner was killed (another replica finalises it).
 * In every case no two runs of one environment overlap (a killed script counts as running until
 * its processes were seen gone), every request ends Completed (RecoveryPolicy Resume), and a
 * dead or frozen replica's in-flight request runs again elsewhere within RequestLeaseSeconds + 5 s.
 */
import { BrokerNode, startBrokerNode } from '../support/broker-node';
import { MonitorCluster } from '../support/monitor-cluster';
import { startTcpProxy, TcpProxy } from '../support/tcp-proxy';
import type { DeploymentRequestEntity } from '../../src/persistence/entities/deployment-request.entity';
import { HaSql, sleep, waitUntil } from './fencing-fixtures';
import { overlaps, pidRecordingScript, RunWatcher, stoppedAt, WatchedRun } from './run-watcher';

const LEASE_SECONDS = 6;
const HEARTBEAT_SECONDS = 2;
const SCRIPT_SECONDS = 4;
const RECOVERY_BOUND_MS = (LEASE_SECONDS + 5) * 1000;
/** The watchdog kills a script 0.6 x lease after the last renewal its monitor sent. */
const WATCHDOG_MS = 0.6 * LEASE_SECONDS * 1000;
const REPLICAS = ['replica-1', 'replica-2', 'replica-3'];
const CASES = ['a', 'b', 'c', 'd', 'e'] as const;

describe('fault injection with three replicas (issue 6, criterion 2)', () => {
  let node: BrokerNode;
  const proxies = new Map<string, TcpProxy>();
  let cluster: MonitorCluster;
  let watcher: RunWatcher;
  const envsOf = (c: string) => [1, 2, 3].map((n) => `fault-${c}-${cluster.work.suffix}-${n}`);

  beforeAll(async () => {
    node = await startBrokerNode();
    for (const id of REPLICAS) proxies.set(id, await startTcpProxy({ targetPort: node.port }));
    cluster = await MonitorCluster.start({
      replicas: REPLICAS.length,
      rabbit: (id) => ({
        host: '127.0.0.1',
        port: proxies.get(id)!.port,
        userName: 'guest',
        password: 'guest',
        virtualHost: '/',
      }),
      requestLeaseSeconds: LEASE_SECONDS,
      heartbeatSeconds: HEARTBEAT_SECONDS,
    });
    await pidRecordingScript(cluster.scriptRoot, 'fault.sh', cluster.recordFile, SCRIPT_SECONDS);
    await cluster.work.applyCatalog({
      projects: [{ name: 'App', components: ['step'] }],
      environments: CASES.flatMap(envsOf).map((name) => ({ name, isProd: false })),
      scripts: [{ name: 'fault-script', path: 'fault.sh' }],
      components: [{ name: 'step', script: 'fault-script' }],
    });
    watcher = new RunWatcher(cluster.recordFile);
    watcher.start();
  }, 120_000);

  afterAll(async () => {
    await watcher?.stop();
    await cluster?.stopAll();
    await Promise.all([...proxies.values()].map((p) => p.close()));
    await node?.stop();
  }, 120_000);

  /** Two requests in each of the case's three environments; waits until the first three run. */
  async function startCase(c: string) {
    const envs = envsOf(c);
    const ids: number[] = [];
    for (let round = 0; round < 2; round++) {
      for (const environment of envs)
        ids.push(await cluster.work.submit({ project: 'App', environment, components: ['step'] }));
    }
    const first = ids.slice(0, envs.length);
    const running = await waitUntil(
      'the first round running',
      async () => {
        const rows = await cluster.work.requests(first);
        const started = new Set((await watcher.snapshot()).map((r) => r.requestId));
        const ok = rows.every(
          (r) => r.status === 'Running' && r.ownerId !== null && started.has(r.id),
        );
        return ok ? rows : undefined;
      },
      30_000,
    );
    return { envs, ids, running };
  }

  /** Every request Completed, no overlap, no script left running; returns the case's runs. */
  async function finishCase(envs: string[], ids: number[]) {
    const rows = await cluster.waitFinal(ids, 90_000);
    const runs = (await watcher.snapshot()).filter((r) => envs.includes(r.environment));
    for (const row of rows.filter((r) => r.status !== 'Completed')) {
      const lines = cluster
        .allLogs()
        .filter((l) => l.json?.requestId === row.id || l.text.includes(row.environment ?? '?'));
      console.log(
        `[faults] request ${row.id} ${row.status}:\n${lines.map((l) => `${l.replica} ${l.text}`).join('\n')}`,
      );
    }
    expect(rows.filter((r) => r.status !== 'Completed').map(describeRow)).toEqual([]);
    expect(runs.filter((r) => stoppedAt(r) === Number.POSITIVE_INFINITY)).toEqual([]);
    expect(overlaps(runs)).toEqual([]);
    expect(await cluster.work.openRequests()).toEqual([]);
    return { rows, runs };
  }

  /** Per request: when the DB row left `victim`, and when its script started again (ms after `at`). */
  async function recoveryTimes(ids: number[], victim: string, at: number, timeoutMs: number) {
    const times = new Map<number, { rowMs?: number; rerunMs?: number }>(ids.map((id) => [id, {}]));
    await waitUntil(
      'the in-flight requests running again',
      async () => {
        const rows = await cluster.work.requests(ids);
        const runs = await watcher.snapshot();
        const now = Date.now();
        for (const row of rows) {
          const t = times.get(row.id)!;
          if (t.rowMs === undefined && row.ownerId !== victim) t.rowMs = now - at;
          const again = runs.find((r) => r.requestId === row.id && r.start > at);
          if (again && t.rerunMs === undefined) t.rerunMs = again.start - at;
        }
        return [...times.values()].every((t) => t.rerunMs !== undefined);
      },
      timeoutMs,
    );
    return times;
  }

  function report(
    label: string,
    times: Map<number, { rowMs?: number; rerunMs?: number }>,
    extra = '',
  ) {
    const parts = [...times.entries()].map(
      ([id, t]) =>
        `request ${id}: row recovered +${t.rowMs ?? '?'} ms, running again +${t.rerunMs} ms`,
    );
    console.log(`[faults ${label}] ${parts.join('; ')}${extra}`);
  }

  it('(a) SIGKILL of the replica running a request', async () => {
    const { envs, ids, running } = await startCase('a');
    const victim = running[0].ownerId!;
    const theirs = running.filter((r) => r.ownerId === victim).map((r) => r.id);
    const killedAt = Date.now();
    cluster.kill(victim, 'SIGKILL');
    await cluster.waitExit(victim);
    const times = await recoveryTimes(theirs, victim, killedAt, RECOVERY_BOUND_MS + 10_000);
    const { runs } = await finishCase(envs, ids);

    const killed = runs.filter((r) => theirs.includes(r.requestId) && r.start < killedAt);
    expect(killed.map((r) => r.end)).toEqual(theirs.map(() => null));
    const scriptGone = Math.max(...killed.map((r) => r.goneAt! - killedAt));
    report('a SIGKILL', times, `; its scripts gone +${scriptGone} ms`);
    for (const t of times.values()) expect(t.rerunMs).toBeLessThanOrEqual(RECOVERY_BOUND_MS);
    expect(startCountsOf(runs, ids)).toEqual(ids.map((id) => (theirs.includes(id) ? 2 : 1)));
    await cluster.start(victim);
  }, 150_000);

  it('(b) SIGSTOP for longer than the lease, then SIGCONT', async () => {
    const { envs, ids, running } = await startCase('b');
    const victim = running[0].ownerId!;
    const theirs = running.filter((r) => r.ownerId === victim).map((r) => r.id);
    const logsBefore = cluster.logs(victim).length;
    const pausedAt = Date.now();
    cluster.pause(victim);
    let times: Awaited<ReturnType<typeof recoveryTimes>>;
    try {
      const recovery = recoveryTimes(theirs, victim, pausedAt, RECOVERY_BOUND_MS + 10_000);
      await sleep((LEASE_SECONDS + 3) * 1000);
      cluster.resume(victim);
      times = await recovery;
    } finally {
      cluster.resume(victim);
    }
    const { runs } = await finishCase(envs, ids);

    const frozen = runs.filter((r) => theirs.includes(r.requestId) && r.start < pausedAt);
    expect(frozen.map((r) => r.end)).toEqual(theirs.map(() => null));
    const killedAfter = Math.max(...frozen.map((r) => r.goneAt! - pausedAt));
    report(
      'b SIGSTOP',
      times,
      `; the frozen replica's scripts killed by their watchdog +${killedAfter} ms`,
    );
    expect(killedAfter).toBeLessThanOrEqual(WATCHDOG_MS + 500);
    for (const t of times.values()) expect(t.rerunMs).toBeLessThanOrEqual(RECOVERY_BOUND_MS);
    expect(startCountsOf(runs, ids)).toEqual(ids.map((id) => (theirs.includes(id) ? 2 : 1)));
    await cluster.waitForLog(victim, /fenced/i, 10_000, logsBefore);
  }, 150_000);

  it('(c) a replica cut off from the broker for 10 s', async () => {
    const { envs, ids, running } = await startCase('c');
    const victim = running[0].ownerId!;
    const theirs = running.filter((r) => r.ownerId === victim).map((r) => r.id);
    const proxy = proxies.get(victim)!;
    const logsBefore = cluster.logs(victim).length;
    const cutAt = Date.now();
    proxy.blackhole();
    await sleep(10_000);
    proxy.restore();
    const restoredAt = Date.now();
    await cluster.waitReady(victim, 30_000);
    const { rows, runs } = await finishCase(envs, ids);

    // It did notice: its lock connection went silent and was dropped.
    const lost = cluster
      .logs(victim)
      .slice(logsBefore)
      .find((l) => /^Lost the RabbitMQ lock connection/.test(l.json?.msg ?? ''));
    expect(lost?.receivedAt).toBeLessThan(restoredAt);
    // Its runs in flight went on under their leases and finished there.
    for (const id of theirs)
      expect(rows.find((r) => r.id === id)).toMatchObject({ ownerId: victim, attempt: 1 });
    // Nothing was cancelled, recovered or run twice: the cut replica kept its runs under its lease.
    expect(startCountsOf(runs, ids)).toEqual(ids.map(() => 1));
    expect(rows.filter((r) => /Recovered by/.test(r.log ?? '')).map(describeRow)).toEqual([]);
    // Once it noticed (within two heartbeats), it started nothing new until the broker was back.
    const quiet = cutAt + 2 * HEARTBEAT_SECONDS * 1000;
    const owner = new Map(rows.map((r) => [r.id, r.ownerId]));
    const startedCut = runs.filter(
      (r) => owner.get(r.requestId) === victim && r.start > quiet && r.start < restoredAt,
    );
    expect(startedCut).toEqual([]);
    console.log(
      `[faults c blackhole] ${victim} cut ${restoredAt - cutAt} ms; runs: ${runs.map(describeRun).join(', ')}`,
    );
  }, 150_000);

  it('(e) Cancelling for a request whose owner was killed: the lock holder finalises it', async () => {
    const [env] = envsOf('e');
    const id = await cluster.work.submit({
      project: 'App',
      environment: env,
      components: ['step'],
    });
    const running = await waitUntil('the request running', async () => {
      const [row] = await cluster.work.requests([id]);
      const started = (await watcher.snapshot()).some((r) => r.requestId === id);
      return row.status === 'Running' && started ? row : undefined;
    });
    const victim = running.ownerId!;
    const killedAt = Date.now();
    cluster.kill(victim, 'SIGKILL');
    await cluster.waitExit(victim);
    await new HaSql(cluster.dataSource).setStatus(id, 'Cancelling');
    const [done] = await cluster.waitFinal([id], RECOVERY_BOUND_MS + 10_000);
    const finishedMs = Date.now() - killedAt;
    const runs = (await watcher.snapshot()).filter((r) => r.requestId === id);

    expect(done.status).toBe('Cancelled');
    expect(done.log).toMatch(/Recovered by replica-\d.*previous owner /);
    expect(done.log).not.toContain(`Recovered by ${victim}`);
    expect(runs).toHaveLength(1);
    expect(runs[0].end).toBeNull();
    expect(stoppedAt(runs[0])).toBeLessThan(Number.POSITIVE_INFINITY);
    console.log(
      `[faults e cancel, owner killed] Cancelled by another replica +${finishedMs} ms after the kill`,
    );
    expect(finishedMs).toBeLessThanOrEqual(RECOVERY_BOUND_MS + 1000);
    await cluster.start(victim);
  }, 150_000);

  it('(d) the broker restarts', async () => {
    const { envs, ids } = await startCase('d');
    const haltAt = Date.now();
    await node.restart();
    const backAt = Date.now();
    for (const id of REPLICAS) await cluster.waitReady(id, 30_000);
    const { rows, runs } = await finishCase(envs, ids);

    expect(startCountsOf(runs, ids)).toEqual(ids.map(() => 1));
    expect(rows.filter((r) => /Recovered by/.test(r.log ?? '')).map(describeRow)).toEqual([]);
    console.log(
      `[faults d broker restart] broker away ${backAt - haltAt} ms; runs: ${runs.map(describeRun).join(', ')}`,
    );
  }, 150_000);
});

function startCountsOf(runs: WatchedRun[], ids: number[]): number[] {
  return ids.map((id) => runs.filter((r) => r.requestId === id).length);
}

function describeRow(r: DeploymentRequestEntity): string {
  return `${r.id} ${r.environment} ${r.status} owner=${r.ownerId ?? '-'} attempt=${r.attempt} log=${r.log ?? ''}`;
}

function describeRun(r: WatchedRun): string {
  return `${r.requestId}@${r.environment.slice(-1)} ${r.start % 100_000}-${stoppedAt(r) % 100_000}`;
}
