import { LockHandle, LockLostError } from '../../src/rabbit-lock/distributed-lock.service';
import { plainCredentials } from '../../src/rabbit-lock/lock-credentials';
import { lockQueueName } from '../../src/rabbit-lock/lock-queue-name';
import { RabbitLockHandle } from '../../src/rabbit-lock/rabbit-lock.handle';
import { RabbitLockService } from '../../src/rabbit-lock/rabbit-lock.service';
import { startTcpProxy, TcpProxy } from '../support/tcp-proxy';
import {
  BROKER,
  CAN_LIST_CONNECTIONS,
  eventually,
  forceCloseConnection,
  freePort,
  LogLine,
  recordingLogger,
  LockServiceFixture,
  sleep,
  uniqueName,
} from './lock-test.fixture';

async function held(service: RabbitLockService, environment: string): Promise<LockHandle> {
  const result = await service.acquire(environment);
  if (result.kind !== 'acquired')
    throw new Error(`expected to acquire ${environment}: ${result.kind}`);
  return result.handle;
}

function lossOf(handle: LockHandle): LockLostError {
  expect(handle.signal.aborted).toBe(true);
  return handle.signal.reason as LockLostError;
}

describe('RabbitLockService against the real broker', () => {
  const fixture = new LockServiceFixture();
  const proxies: TcpProxy[] = [];

  async function viaProxy(): Promise<{ proxy: TcpProxy; service: RabbitLockService }> {
    const proxy = await startTcpProxy({ targetPort: BROKER.port, targetHost: BROKER.hostname });
    proxies.push(proxy);
    const service = await fixture.started({ hostname: '127.0.0.1', port: proxy.port });
    return { proxy, service };
  }

  afterAll(async () => {
    await Promise.all(proxies.map((proxy) => proxy.close()));
    await fixture.closeAll();
    expect(await fixture.leftoverConnections()).toEqual([]);
  });

  it('lets exactly one of five connections take a contested environment; the others stay usable', async () => {
    const services = await Promise.all([1, 2, 3, 4, 5].map(() => fixture.started()));
    const environment = uniqueName('race');

    const results = await Promise.all(services.map((service) => service.acquire(environment)));

    expect(results.filter((r) => r.kind === 'acquired')).toHaveLength(1);
    expect(results.filter((r) => r.kind === 'busy')).toHaveLength(4);
    const others = await Promise.all(services.map((service) => service.acquire(uniqueName('own'))));
    expect(others.map((r) => r.kind)).toEqual(Array(5).fill('acquired'));
    expect(services.every((service) => service.isReady())).toBe(true);
  });

  it('hands the lock over after release, without aborting the released handle', async () => {
    const [first, second] = [await fixture.started(), await fixture.started()];
    const environment = uniqueName('release');
    const handle = await held(first, environment);
    expect((await second.acquire(environment)).kind).toBe('busy');

    await handle.release();
    await handle.release();

    const next = await held(second, environment);
    expect(next.queueName).toBe(lockQueueName(environment));
    expect(handle.signal.aborted).toBe(false);
    expect(first.status().locks).toEqual([]);
  });

  it('answers busy when this replica already holds or is taking the environment', async () => {
    const service = await fixture.started();
    const environment = uniqueName('twice');

    const [a, b] = await Promise.all([service.acquire(environment), service.acquire(environment)]);
    const again = await service.acquire(environment);

    expect([a.kind, b.kind].sort()).toEqual(['acquired', 'busy']);
    expect(again.kind).toBe('busy');
    expect(service.status().locks.map((lock) => lock.environment)).toEqual([environment]);
  });

  it('aborts the holder at once when its connection closes, and then another can take over', async () => {
    const { proxy, service: holder } = await viaProxy();
    const other = await fixture.started();
    const environment = uniqueName('dropped');
    const handle = await held(holder, environment);
    let abortedAt = 0;
    handle.signal.addEventListener('abort', () => (abortedAt = Date.now()));

    await proxy.close(); // both sockets go: the broker and the holder each see a closed connection

    await eventually(() => abortedAt > 0, 5000);
    expect(lossOf(handle).reason).toBe('connection-closed');
    expect(holder.status().locks).toEqual([]);
    const taken = await acquireWithin(other, environment, 5000);
    console.log(
      `lock taken over ${taken.acquiredAt.getTime() - abortedAt} ms after the signal fired`,
    );
    expect(taken.acquiredAt.getTime()).toBeGreaterThanOrEqual(abortedAt);
  });

  // rabbitmqctl reaches only the local broker.
  const operatorIt = CAN_LIST_CONNECTIONS ? it : it.skip;
  const needsRabbitmqctl = CAN_LIST_CONNECTIONS ? '' : ' (skipped: needs the local rabbitmqctl)';

  operatorIt(
    `reports a connection an operator closes as connection-closed${needsRabbitmqctl}`,
    async () => {
      const name = fixture.nextConnectionName();
      const holder = await fixture.started();
      const handle = await held(holder, uniqueName('forced'));

      await forceCloseConnection(name);

      await eventually(() => handle.signal.aborted, 5000);
      expect(lossOf(handle).reason).toBe('connection-closed');
    },
  );

  it('reconnects in the background but never re-takes a lock it lost', async () => {
    const { proxy, service: holder } = await viaProxy();
    const environment = uniqueName('no-retake');
    const handle = await held(holder, environment);
    const states: string[] = [];
    holder.onConnectionChange((state) => states.push(state));

    await proxy.close();
    await eventually(() => states.includes('disconnected'), 5000);
    expect(holder.isReady()).toBe(false);
    expect(await holder.acquire(uniqueName('meanwhile'))).toMatchObject({ kind: 'unavailable' });
    proxies.push(
      await startTcpProxy({
        targetPort: BROKER.port,
        targetHost: BROKER.hostname,
        listenPort: proxy.port,
      }),
    );

    await eventually(() => states.includes('connected'), 5000);
    expect(lossOf(handle).reason).toBe('connection-closed');
    expect(holder.status()).toMatchObject({ connection: 'connected', locks: [] });
    const outsider = await fixture.started();
    expect((await outsider.acquire(environment)).kind).toBe('acquired');
    expect((await holder.acquire(environment)).kind).toBe('busy');
  });

  it('loses a lock whose channel the broker closes, and frees its queue for others', async () => {
    const holder = await fixture.started();
    const other = await fixture.started();
    const environment = uniqueName('channel');
    const handle = (await held(holder, environment)) as RabbitLockHandle;
    const lost: LockLostError[] = [];
    holder.onLockLost((error) => lost.push(error));

    // Any channel error makes the broker close the channel; the queue stays with the connection.
    await expect(handle.channel.checkQueue(uniqueName('missing'))).rejects.toThrow(/404/);

    await eventually(() => handle.signal.aborted, 5000);
    expect(lossOf(handle).reason).toBe('channel-closed');
    expect(lost.map((error) => error.environment)).toEqual([environment]);
    await acquireWithin(other, environment, 5000);
    expect(holder.isReady()).toBe(true);
  });

  it('locks a 300-character and a Unicode environment name', async () => {
    const holder = await fixture.started();
    const other = await fixture.started();
    const long = uniqueName('x'.repeat(300));
    const unicode = uniqueName('Prod-東京-ü');

    const handles = [await held(holder, long), await held(holder, unicode)];

    expect(handles[1].queueName).toBe(`dorc.lock.env:${unicode}`);
    expect(handles[0].queueName).toMatch(/^dorc\.lock\.env:x{64}~[0-9a-f]{64}$/);
    expect((await other.acquire(long)).kind).toBe('busy');
    expect((await other.acquire(unicode)).kind).toBe('busy');
    expect((await other.acquire(long.slice(0, 299))).kind).toBe('acquired');
  });

  it('renews the secret in place with plain auth (the broker accepts it) and keeps the lock', async () => {
    const holder = await fixture.started();
    const other = await fixture.started();
    const environment = uniqueName('secret');
    const handle = await held(holder, environment);

    expect(await holder.updateSecret(BROKER.password, 2000)).toBe('ok');

    expect(handle.signal.aborted).toBe(false);
    expect((await other.acquire(environment)).kind).toBe('busy');
  });

  it('gives up every lock when a secret update gets no answer in time', async () => {
    const { proxy, service: holder } = await viaSlowHeartbeatProxy();
    const environment = uniqueName('secret-timeout');
    const handle = await held(holder, environment);
    proxy.blackhole();

    const started = Date.now();
    expect(await holder.updateSecret('whatever', 300)).toBe('failed');

    expect(Date.now() - started).toBeLessThan(3000);
    expect(lossOf(handle).reason).toBe('token-refused');
    expect(holder.isReady()).toBe(false);
  });

  it('answers failed to a secret update while disconnected', async () => {
    const holder = fixture.create({ port: await freePort() });
    await holder.start();

    expect(await holder.updateSecret('whatever', 300)).toBe('failed');
  });

  it('keeps trying while the broker is unreachable and connects once it is there', async () => {
    const lines: LogLine[] = [];
    const port = await freePort();
    const service = fixture.create({ hostname: '127.0.0.1', port, logger: recordingLogger(lines) });

    await service.start();

    expect(service.status()).toMatchObject({ connection: 'disconnected', locks: [] });
    expect(service.status().lastError).toMatch(/ECONNREFUSED/);
    expect(await service.acquire(uniqueName('early'))).toMatchObject({
      kind: 'unavailable',
      reason: expect.stringMatching(/ECONNREFUSED/),
    });
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        message: expect.stringMatching(
          /^RabbitMQ is unreachable: .*ECONNREFUSED.*; no new work will start until it is back$/,
        ),
      }),
    );

    proxies.push(
      await startTcpProxy({
        targetPort: BROKER.port,
        targetHost: BROKER.hostname,
        listenPort: port,
      }),
    );
    await eventually(() => service.isReady(), 5000);
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 'log',
        message: `Established RabbitMQ connection to 127.0.0.1:${port}`,
      }),
    );
    expect((await service.acquire(uniqueName('later'))).kind).toBe('acquired');
  });

  it('reports a refused login without the password in logs or status', async () => {
    const lines: LogLine[] = [];
    const password = 'S3cret-not-for-logs';
    const service = fixture.create({
      credentials: plainCredentials(BROKER.username, password),
      logger: recordingLogger(lines),
    });

    await service.start();

    expect(service.isReady()).toBe(false);
    expect(service.status().lastError).toMatch(/ACCESS.REFUSED|403/);
    expect(JSON.stringify(lines)).not.toContain(password);
    expect(JSON.stringify(service.status())).not.toContain(password);
  });

  it('deletes its queues on close, refuses new work afterwards, and closes safely twice', async () => {
    const holder = await fixture.started();
    const other = await fixture.started();
    const environment = uniqueName('closing');
    const handle = await held(holder, environment);

    await Promise.all([holder.close(), holder.close()]);
    await holder.close();

    expect(handle.signal.aborted).toBe(false);
    expect(holder.status()).toMatchObject({ connection: 'disconnected', locks: [] });
    expect((await holder.acquire(uniqueName('after'))).kind).toBe('unavailable');
    expect((await other.acquire(environment)).kind).toBe('acquired');
  });

  async function viaSlowHeartbeatProxy(): Promise<{ proxy: TcpProxy; service: RabbitLockService }> {
    const proxy = await startTcpProxy({ targetPort: BROKER.port, targetHost: BROKER.hostname });
    proxies.push(proxy);
    // A long heartbeat keeps the silence guard out of the way: only the secret update can fail.
    const service = await fixture.started({
      hostname: '127.0.0.1',
      port: proxy.port,
      heartbeatSeconds: 30,
    });
    return { proxy, service };
  }
});

async function acquireWithin(
  service: RabbitLockService,
  environment: string,
  timeoutMs: number,
): Promise<LockHandle> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const result = await service.acquire(environment);
    if (result.kind === 'acquired') return result.handle;
    await sleep(5);
  }
  throw new Error(`could not acquire ${environment} within ${timeoutMs} ms`);
}
