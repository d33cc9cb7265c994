import { randomBytes } from 'node:crypto';
import { LockHandle } from '../../src/rabbit-lock/distributed-lock.service';
import { plainCredentials } from '../../src/rabbit-lock/lock-credentials';
import { RabbitLockService } from '../../src/rabbit-lock/rabbit-lock.service';
import { LockContender } from './lock-contender';

/** The product's lock: `RabbitLockService` (a channel plus an exclusive declare per acquire). */
export class OursContender implements LockContender {
  readonly name = 'RabbitLockService';
  private readonly handles = new Map<string, LockHandle>();

  private constructor(private readonly service: RabbitLockService) {}

  static async open(url: string): Promise<OursContender> {
    const u = new URL(url);
    const service = new RabbitLockService({
      hostname: u.hostname,
      port: Number(u.port || 5672),
      vhost: u.pathname.length > 1 ? decodeURIComponent(u.pathname.slice(1)) : '/',
      heartbeatSeconds: 60,
      connectionName: `dorc-bench-${randomBytes(4).toString('hex')}`,
      credentials: plainCredentials(decodeURIComponent(u.username), decodeURIComponent(u.password)),
    });
    await service.start();
    if (!service.isReady()) throw new Error('RabbitLockService could not connect to the broker');
    return new OursContender(service);
  }

  async prepare(): Promise<void> {}

  async acquire(key: string): Promise<boolean> {
    const result = await this.service.acquire(key);
    if (result.kind === 'unavailable') throw new Error(`lock unavailable: ${result.reason}`);
    if (result.kind === 'busy') return false;
    this.handles.set(key, result.handle);
    return true;
  }

  async release(key: string): Promise<void> {
    const handle = this.handles.get(key);
    this.handles.delete(key);
    await handle?.release();
  }

  close(): Promise<void> {
    return this.service.close();
  }
}
