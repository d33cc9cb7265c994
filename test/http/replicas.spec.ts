import { randomBytes } from 'node:crypto';
import { EventTap } from './support/event-tap';
import { lockRoutingKey } from '../../src/events/rabbit-monitor-events';
import { MonitorProcess, waitFor } from './support/monitor-process';
import { answerValidator } from './support/openapi-schemas';
import { metricSamples } from './support/prometheus-text';
import { ReplicaRig } from './support/replica-rig';

/**
 * Two monitor processes with HA on (real RabbitMQ, Plain authentication) over one PostgreSQL
 * database: the lock-status API, metrics and probes as an operator sees them (issue 7, 1).
 */
jest.setTimeout(120_000);

const suffix = randomBytes(3).toString('hex');
const E1 = `http-one-${suffix}`;
const E2 = `http-two-${suffix}`;
const E3 = `http-handover-${suffix}`;

const METRICS = [
  'dorc_monitor_locks_held',
  'dorc_monitor_lock_acquisitions_total',
  'dorc_monitor_lock_acquire_seconds',
  'dorc_monitor_locks_lost_total',
  'dorc_monitor_fencing_rejections_total',
  'dorc_monitor_requests_finished_total',
  'dorc_monitor_deployment_duration_seconds',
  'dorc_monitor_poll_duration_seconds',
  'dorc_monitor_broker_connection_up',
];

interface HeldLock {
  environment: string;
  queue: string;
  requestId: number | null;
  epoch: number | null;
  leaseExpiresInMs: number | null;
}

interface ClusterEntry {
  environment: string;
  requestId: number;
  ownerId: string;
  epoch: number;
  status: string;
}

describe('HTTP API of two replicas with HA on', () => {
  const check = answerValidator();
  let rig: ReplicaRig;
  let a: MonitorProcess;
  let b: MonitorProcess;

  beforeAll(async () => {
    rig = await ReplicaRig.create([E1, E2, E3]);
    [a, b] = await Promise.all([
      rig.startReplica(`http-a-${suffix}`, { viaProxy: true }),
      rig.startReplica(`http-b-${suffix}`),
    ]);
    await Promise.all([a, b].map((r) => waitForStatus(r, '/health/ready', 200, 20_000)));
    await waitFor(
      async () => (await monitorsSeenBy(a)).length === 2,
      10_000,
      'both replicas registered',
    );
  });

  afterAll(async () => {
    await rig?.cleanup();
  });

  it('shows on /locks and /locks/cluster who holds each environment, and metrics follow', async () => {
    const id1 = await rig.submit(E1, 6);
    const first = await holderOf(E1);
    const id2 = await rig.submit(E2, 6);
    const second = await holderOf(E2);

    expect(second.replica).not.toBe(first.replica);
    for (const [{ replica, lock }, environment, id] of [
      [first, E1, id1],
      [second, E2, id2],
    ] as const) {
      const view = await replica.getJson<{ monitorId: string; broker: { connection: string } }>(
        '/locks',
      );
      expect(check('ReplicaLocks', view)).toEqual([]);
      expect(view.monitorId).toBe(replica.monitorId);
      expect(view.broker.connection).toBe('connected');
      expect(lock).toMatchObject({
        environment,
        queue: `dorc.lock.env:${environment}`,
        requestId: id,
      });
      expect(lock.epoch).toBeGreaterThanOrEqual(1);
      expect(lock.leaseExpiresInMs).toBeGreaterThan(0);
    }
    for (const replica of [a, b]) {
      const cluster = await replica.getJson<{ environments: ClusterEntry[] }>('/locks/cluster');
      expect(check('ClusterLocks', cluster)).toEqual([]);
      expect(entryFor(cluster.environments, E1)).toMatchObject({
        requestId: id1,
        ownerId: first.replica.monitorId,
        epoch: first.lock.epoch,
      });
      expect(entryFor(cluster.environments, E2)).toMatchObject({
        requestId: id2,
        ownerId: second.replica.monitorId,
        epoch: second.lock.epoch,
      });
      expect((await monitorsSeenBy(replica)).sort()).toEqual([a.monitorId, b.monitorId].sort());
    }

    const during = (await first.replica.get('/metrics')).body;
    for (const name of METRICS) expect(during).toContain(`# TYPE ${name} `);
    expect(during).toContain(`dorc_monitor_locks_held{environment="${E1}"} 1`);
    expect(during).not.toContain(`environment="${E2}"`);
    expect(metricSamples(during, 'dorc_monitor_broker_connection_up').get('')).toBe(1);
    // Plain authentication has no token: no always-0 "seconds to expiry" to alert on.
    expect(during).not.toContain('dorc_monitor_token_seconds_to_expiry');

    await Promise.all([rig.harness.waitFinal(id1, 30_000), rig.harness.waitFinal(id2, 30_000)]);
    await waitFor(
      async () => !(await first.replica.get('/metrics')).body.includes(`environment="${E1}"`),
      5000,
      'the gauge to go',
    );
    const after = (await first.replica.get('/metrics')).body;
    expect(
      metricSamples(after, 'dorc_monitor_requests_finished_total').get('{status="Completed"}'),
    ).toBeGreaterThanOrEqual(1);
    expect(
      metricSamples(after, 'dorc_monitor_deployment_duration_seconds_count').get(''),
    ).toBeGreaterThanOrEqual(1);
    expect(
      metricSamples(after, 'dorc_monitor_lock_acquisitions_total').get('{result="acquired"}'),
    ).toBeGreaterThanOrEqual(1);
    expect(
      metricSamples(after, 'dorc_monitor_lock_acquire_seconds_count').get(''),
    ).toBeGreaterThanOrEqual(1);
  });

  it('turns readiness 503 when the broker goes away while liveness stays 200, and recovers', async () => {
    await waitForStatus(a, '/health/ready', 200, 5000);

    await rig.cutBroker();
    const down = await waitForStatus(a, '/health/ready', 503, 15_000);
    const live = await Promise.all([0, 1, 2].map(() => a.get('/health/live')));
    const locks = await a.getJson<{ broker: { connection: string } }>('/locks');
    const metrics = (await a.get('/metrics')).body;
    await rig.restoreBroker();

    expect(JSON.parse(down.body)).toMatchObject({
      details: { lock: { status: 'down' }, database: { status: 'up' } },
    });
    expect(live.map((answer) => answer.status)).toEqual([200, 200, 200]);
    expect(locks.broker.connection).not.toBe('connected');
    expect(metricSamples(metrics, 'dorc_monitor_broker_connection_up').get('')).toBe(0);
    expect((await b.get('/health/ready')).status).toBe(200);
    await waitForStatus(a, '/health/ready', 200, 30_000);
  });

  it('starts while the broker is away and connects both connections once it is back', async () => {
    await rig.cutBroker();
    const d = await rig.startReplica(`http-d-${suffix}`, { viaProxy: true });
    try {
      const ready = await d.get('/health/ready');
      const live = await d.get('/health/live');
      await rig.restoreBroker();

      expect(ready.status).toBe(503);
      expect(live.status).toBe(200);
      await waitForStatus(d, '/health/ready', 200, 30_000);
      // The events connection (no fixed URI, servers found at each connect) comes up too.
      await d.waitForLog((l) => l.msg === 'Listening for lock release events', 20_000, 'events');
      expect(await d.stop()).toBe(0);
    } finally {
      await d.kill();
    }
  });

  it('hands an environment over through the release event, well before the next poll', async () => {
    const pollMs = 60_000;
    const tap = await EventTap.start(rig.broker.url, {
      username: rig.broker.userName,
      password: rig.broker.password,
    });
    try {
      expect(await b.stop()).toBe(0);
      const c = await rig.startReplica(`http-c-${suffix}`, { pollMs });
      await waitForStatus(c, '/health/ready', 200, 20_000);
      await c.waitForLog(
        (l) => l.msg === 'Listening for lock release events',
        10_000,
        'subscription',
      );
      const cStarted = Date.now();
      const first = await rig.submit(E3, 3);
      const second = await rig.submit(E3, 1);
      await a.waitForLog(
        (l) =>
          l.msg.startsWith(
            `Acquired distributed lock for environment '${E3}' to process request ${first}`,
          ),
        10_000,
        'A takes E3',
      );

      expect(await a.stop()).toBe(0);
      const released = a
        .logs()
        .find((l) => l.msg === `Released distributed lock for environment '${E3}'`);
      const taken = await c.waitForLog(
        (l) =>
          l.msg.startsWith(
            `Acquired distributed lock for environment '${E3}' to process request ${second}`,
          ),
        15_000,
        'C takes E3',
      );

      expect(released).toBeDefined();
      expect(tap.find(lockRoutingKey(E3, 'released'))?.body.monitorId).toBe(a.monitorId);
      expect(taken.time - (released?.time ?? 0)).toBeLessThan(2000);
      // C polls only at start and after about a minute: nothing but the event explains the pickup.
      expect(taken.time - cStarted).toBeLessThan(0.9 * pollMs);
      expect((await rig.harness.waitFinal(second, 20_000)).status).toBe('Completed');
    } finally {
      await tap.stop();
    }
  });

  /** Polls both replicas' /locks until one holds `environment` with its run started. */
  async function holderOf(
    environment: string,
  ): Promise<{ replica: MonitorProcess; lock: HeldLock }> {
    let found: { replica: MonitorProcess; lock: HeldLock } | undefined;
    await waitFor(
      async () => {
        for (const replica of [a, b]) {
          const view = await replica.getJson<{ locks: HeldLock[] }>('/locks');
          const lock = view.locks.find(
            (l) => l.environment === environment && l.requestId !== null,
          );
          if (lock) found = { replica, lock };
        }
        return found !== undefined;
      },
      20_000,
      `a holder of ${environment}`,
      200,
    );
    return found as { replica: MonitorProcess; lock: HeldLock };
  }

  async function monitorsSeenBy(replica: MonitorProcess): Promise<string[]> {
    const cluster = await replica.getJson<{ monitors: Array<{ monitorId: string }> }>(
      '/locks/cluster',
    );
    return cluster.monitors.map((m) => m.monitorId);
  }
});

function entryFor(entries: ClusterEntry[], environment: string): ClusterEntry | undefined {
  return entries.find((e) => e.environment === environment);
}

async function waitForStatus(
  replica: MonitorProcess,
  path: string,
  status: number,
  timeoutMs: number,
) {
  let answer = await replica.get(path);
  await replica.waitUntil(
    async () => (answer = await replica.get(path)).status === status,
    timeoutMs,
    `${path} ${status}`,
  );
  return answer;
}
