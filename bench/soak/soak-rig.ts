import { randomBytes } from 'node:crypto';
import { BrokerNode, startBrokerNode } from '../../test/support/broker-node';
import { startTcpProxy, TcpProxy } from '../../test/support/tcp-proxy';
import { BenchCluster } from '../cluster/bench-cluster';
import { SoakOptions } from './soak-options';

/**
 * Everything the soak runs: its own RabbitMQ node (so it may restart it), one TCP proxy per
 * replica in front of that node (to partition one replica alone), and the replicas over a fresh
 * PostgreSQL database. `cleanup()` stops every process and removes every file, also after a
 * failed start; safe to call twice.
 */
export class SoakRig {
  readonly environments: string[];
  private cleaned?: Promise<void>;

  private constructor(
    readonly options: SoakOptions,
    readonly broker: BrokerNode,
    readonly proxies: Map<string, TcpProxy>,
    readonly bench: BenchCluster,
  ) {
    const suffix = randomBytes(3).toString('hex');
    this.environments = Array.from(
      { length: options.environments },
      (_, i) => `soak-${suffix}-${i + 1}`,
    );
  }

  static async start(options: SoakOptions): Promise<SoakRig> {
    const broker = await startBrokerNode();
    const proxies = new Map<string, TcpProxy>();
    try {
      for (let n = 1; n <= options.replicas; n++) {
        proxies.set(`replica-${n}`, await startTcpProxy({ targetPort: broker.port }));
      }
      const bench = await BenchCluster.start({
        replicas: options.replicas,
        pollMs: options.pollMs,
        heartbeatSeconds: options.heartbeatSeconds,
        requestLeaseSeconds: options.requestLeaseSeconds,
        logLevel: options.logLevel,
        rabbit: (id) => ({
          host: '127.0.0.1',
          port: proxies.get(id)!.port,
          userName: 'guest',
          password: 'guest',
          virtualHost: '/',
        }),
      });
      const rig = new SoakRig(options, broker, proxies, bench);
      await bench.catalog(rig.environments);
      return rig;
    } catch (error) {
      await Promise.allSettled([...proxies.values()].map((p) => p.close()));
      await broker.stop();
      throw error;
    }
  }

  get replicaIds(): string[] {
    return this.bench.cluster.replicaIds;
  }

  cleanup(): Promise<void> {
    this.cleaned ??= this.doCleanup();
    return this.cleaned;
  }

  private async doCleanup(): Promise<void> {
    for (const id of this.replicaIds) {
      // A stopped process ignores SIGKILL's cleanup until it runs again: wake it first.
      if (this.bench.cluster.pid(id) !== undefined) this.bench.cluster.resume(id);
    }
    await this.bench.stop();
    await Promise.allSettled([...this.proxies.values()].map((p) => p.close()));
    await this.broker.stop();
  }
}
