import { LockLostError } from '../../src/rabbit-lock/distributed-lock.service';
import { RabbitLockService } from '../../src/rabbit-lock/rabbit-lock.service';
import { startTcpProxy } from '../support/tcp-proxy';
import { BROKER, LockServiceFixture, sleep, uniqueName } from './lock-test.fixture';

const HEARTBEAT_SECONDS = 2;
const REPETITIONS = 10;
const POLL_MS = 50;

interface Trial {
  partitionedAt: number;
  lostAt: number;
  lossReason?: string;
  takenAt: number;
}

/**
 * A silent partition: the holder's bytes stop in both directions but no socket closes. The broker
 * frees the lock only after missing heartbeats; the holder must have given it up before that, or
 * two replicas would hold the environment at once.
 */
describe('RabbitLockService during a silent partition', () => {
  const fixture = new LockServiceFixture();

  afterAll(async () => {
    await fixture.closeAll();
    expect(await fixture.leftoverConnections()).toEqual([]);
  });

  it(`signals the holder before anyone else can take its lock (${REPETITIONS} times)`, async () => {
    const trials: Trial[] = [];
    for (let i = 0; i < REPETITIONS; i++) trials.push(await partitionTrial());

    const timings = trials.map(
      (t) => `${t.lostAt - t.partitionedAt}/${t.takenAt - t.partitionedAt}`,
    );
    console.log(`ms from partition to the holder's loss / to takeover: ${timings.join(', ')}`);
    for (const trial of trials) {
      expect(trial.lossReason).toBe('silence');
      expect(trial.lostAt).toBeGreaterThan(0);
      expect(trial.lostAt).toBeLessThan(trial.takenAt);
    }
  }, 180_000);

  it('gives its locks up after an event-loop stall longer than a heartbeat', async () => {
    const holder = await fixture.started({ heartbeatSeconds: HEARTBEAT_SECONDS });
    const environment = uniqueName('stall');
    const result = await holder.acquire(environment);
    if (result.kind !== 'acquired') throw new Error(`could not acquire: ${result.kind}`);

    // The broker might have given the lock away meanwhile: the holder cannot know, so it must
    // assume so, even though the connection itself is fine.
    blockEventLoop(HEARTBEAT_SECONDS * 1000 * 1.5);
    await sleep(0);

    expect(result.handle.signal.aborted).toBe(true);
    expect((result.handle.signal.reason as LockLostError).reason).toBe('silence');
  });

  async function partitionTrial(): Promise<Trial> {
    const proxy = await startTcpProxy({ targetPort: BROKER.port, targetHost: BROKER.hostname });
    const holder = await fixture.started({
      hostname: '127.0.0.1',
      port: proxy.port,
      heartbeatSeconds: HEARTBEAT_SECONDS,
      connectTimeoutMs: 1000,
    });
    const contender = await fixture.started({ heartbeatSeconds: HEARTBEAT_SECONDS });
    try {
      return await observeTakeover(holder, contender, () => proxy.blackhole());
    } finally {
      // Proxy first: it ends the holder's reconnect attempts through the dead link at once.
      await proxy.close();
      await Promise.all([holder.close(), contender.close()]);
    }
  }
});

async function observeTakeover(
  holder: RabbitLockService,
  contender: RabbitLockService,
  partition: () => void,
): Promise<Trial> {
  const environment = uniqueName('partition');
  const first = await holder.acquire(environment);
  if (first.kind !== 'acquired') throw new Error(`holder could not acquire: ${first.kind}`);
  const trial: Trial = { partitionedAt: 0, lostAt: 0, takenAt: 0 };
  first.handle.signal.addEventListener('abort', () => {
    trial.lostAt = Date.now();
    trial.lossReason = (first.handle.signal.reason as LockLostError).reason;
  });

  partition();
  trial.partitionedAt = Date.now();
  const deadline = Date.now() + 8 * HEARTBEAT_SECONDS * 1000;
  while (Date.now() < deadline) {
    const result = await contender.acquire(environment);
    if (result.kind === 'acquired') {
      trial.takenAt = Date.now();
      await result.handle.release();
      return trial;
    }
    await sleep(POLL_MS);
  }
  throw new Error('the broker never freed the partitioned holder’s lock');
}

function blockEventLoop(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // Busy on purpose: this is the stall.
  }
}
