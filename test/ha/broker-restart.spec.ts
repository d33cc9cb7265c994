/**
 * Issue 4, criterion 6: RabbitMQ stops during a run and comes back. Two real monitor processes
 * lock against a broker node of the test's own (never the shared one). Runs in flight go on under
 * their database lease and complete; nothing is cancelled or run twice; no new work starts while
 * the broker is away; work submitted during the outage runs once it is back; and no replica
 * blames "another monitor" for an environment it could not lock only because of the outage.
 */
import { BrokerNode, startBrokerNode } from '../support/broker-node';
import { sleep } from '../support/engine-harness';
import { LogLine, MonitorCluster } from '../support/monitor-cluster';
import { startCounts } from '../support/monitor-records';
import type { RecordingSetup } from '../support/monitor-workload';

const SCRIPT_SECONDS = 3;
const OUTAGE_MS = 5000;
const BUSY = /likely being processed by another monitor instance/;
const LOST = /^Lost the RabbitMQ lock connection/;
const UNREACHABLE = /^RabbitMQ is unreachable: /;

describe('RabbitMQ stopped and started again during a run (issue 4, criterion 6)', () => {
  let node: BrokerNode;
  let cluster: MonitorCluster;
  let setup: RecordingSetup;

  beforeAll(async () => {
    node = await startBrokerNode();
    const rabbit = {
      host: '127.0.0.1',
      port: node.port,
      userName: 'guest',
      password: 'guest',
      virtualHost: '/',
    };
    cluster = await MonitorCluster.start({ replicas: 2, rabbit });
    setup = await cluster.work.recordingSetup(4, SCRIPT_SECONDS, 'outage');
  }, 120_000);

  afterAll(async () => {
    await cluster?.stopAll();
    await node?.stop();
  }, 120_000);

  it('finishes runs in flight, cancels and repeats nothing, and resumes work once it is back', async () => {
    const before = await cluster.work.submitRound(setup, 2);
    await runningCount(before, setup.environments.length);
    const stoppedAt = Date.now();
    await node.halt();
    const during = await cluster.work.submitRound(setup, 1);
    await sleep(OUTAGE_MS);
    const bootAt = Date.now();
    await node.boot();
    const ids = [...before, ...during];

    const rows = await cluster.waitFinal(ids, 150_000);
    const runs = (await cluster.work.runs()).filter((r) => ids.includes(r.requestId));

    expect(rows.filter((r) => r.status !== 'Completed')).toEqual([]);
    expect([...startCounts(runs).entries()].filter(([, n]) => n !== 1)).toEqual([]);
    expect(runs.filter((r) => r.end === null)).toEqual([]);
    expect(rows.filter((r) => /Recovered by/.test(r.log ?? ''))).toEqual([]);
    const inFlight = runs.filter((r) => r.start < stoppedAt);
    expect(inFlight).toHaveLength(setup.environments.length);
    expect(inFlight.filter((r) => r.end! > bootAt)).toEqual([]);
    const outages = await Promise.all(cluster.replicaIds.map((id) => outageLogs(id, stoppedAt)));
    const lostAt = Math.max(...outages.map((o) => o.lostAt));
    expect(runs.filter((r) => r.start > lostAt && r.start < bootAt)).toEqual([]);
    expect(runs.filter((r) => during.includes(r.requestId) && r.start < bootAt)).toEqual([]);
  }, 240_000);

  /** Waits until at least `count` of `ids` have a script running (started, not ended). */
  async function runningCount(ids: number[], count: number): Promise<void> {
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const runs = await cluster.work.runs();
      if (runs.filter((r) => ids.includes(r.requestId) && r.end === null).length >= count) return;
      await sleep(50);
    }
    throw new Error(`fewer than ${count} scripts running after 30 s`);
  }

  /**
   * The replica saw its lock connection go and come back (the lock service retries with a backoff
   * of up to 30 s, so this may take a while after the broker is up); in between it said that
   * RabbitMQ was unreachable, and never that another monitor held a lock. Returns when it saw
   * the loss.
   */
  async function outageLogs(id: string, stoppedAt: number): Promise<{ lostAt: number }> {
    const msg = (l: LogLine) => l.json?.msg ?? '';
    const established = new RegExp(
      `^Established RabbitMQ connection to 127\\.0\\.0\\.1:${node.port}$`,
    );
    const lines = cluster.logs(id);
    const lost = lines.findIndex((l) => LOST.test(msg(l)) && l.receivedAt >= stoppedAt);
    expect(lost).toBeGreaterThanOrEqual(0);
    await cluster.waitForLog(id, established, 60_000, lost + 1);
    const after = cluster.logs(id);
    const back = after.findIndex((l, i) => i > lost && established.test(msg(l)));
    const outage = after.slice(lost, back);
    expect(outage.filter((l) => BUSY.test(msg(l))).map((l) => l.text)).toEqual([]);
    expect(outage.some((l) => UNREACHABLE.test(msg(l)))).toBe(true);
    return { lostAt: lines[lost].json!.time! };
  }
});
