import Redis from 'ioredis';
import { LockContender } from './lock-contender';

/** A Redis lock: `SET key token NX PX 30000`, released with `DEL`. */
export class RedisNxContender implements LockContender {
  readonly name = 'Redis SET NX PX';

  private constructor(private readonly redis: Redis) {}

  static async open(url: string): Promise<RedisNxContender> {
    const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
    return new RedisNxContender(redis);
  }

  async prepare(): Promise<void> {}

  async acquire(key: string): Promise<boolean> {
    return (await this.redis.set(redisKey(key), 'holder', 'PX', 30_000, 'NX')) === 'OK';
  }

  async release(key: string): Promise<void> {
    await this.redis.del(redisKey(key));
  }

  async close(): Promise<void> {
    await this.redis.quit();
  }
}

function redisKey(key: string): string {
  return `dorc.lock.env:${key}`;
}
