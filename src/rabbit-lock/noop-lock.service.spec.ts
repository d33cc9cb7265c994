import { NoopLockService } from './noop-lock.service';

describe('NoopLockService', () => {
  it('always grants, even the same environment twice, and is always ready', async () => {
    const locks = new NoopLockService();
    await locks.start();

    const first = await locks.acquire('Production');
    const second = await locks.acquire('Production');

    expect(first.kind).toBe('acquired');
    expect(second.kind).toBe('acquired');
    expect(locks.isReady()).toBe(true);
    expect(locks.enabled).toBe(false);
  });

  it('lists held locks in status until they are released, and never aborts them', async () => {
    const locks = new NoopLockService();
    const result = await locks.acquire('Staging');
    if (result.kind !== 'acquired') throw new Error('expected a lock');

    expect(locks.status()).toEqual({
      enabled: false,
      connection: 'disabled',
      locks: [{ environment: 'Staging', queueName: '', acquiredAt: result.handle.acquiredAt }],
    });

    await result.handle.release();
    await result.handle.release();
    expect(locks.status().locks).toEqual([]);
    expect(result.handle.signal.aborted).toBe(false);
  });

  it('forgets every lock on close, and close is safe twice', async () => {
    const locks = new NoopLockService();
    await locks.acquire('A');

    await locks.close();
    await locks.close();

    expect(locks.status().locks).toEqual([]);
  });
});
