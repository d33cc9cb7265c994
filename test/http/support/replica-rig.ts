import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EngineHarness } from '../../support/engine-harness';
import { startTcpProxy, TcpProxy } from '../../support/tcp-proxy';
import { MonitorProcess } from './monitor-process';

/** The RabbitMQ of RABBITMQ_URL (default guest/guest on 127.0.0.1:5672), taken apart. */
export function brokerFromEnv() {
  const url = new URL(process.env.RABBITMQ_URL || 'amqp://guest:guest@127.0.0.1:5672');
  const vhost = decodeURIComponent(url.pathname.slice(1));
  return {
    url: `amqp://${url.hostname}:${url.port || 5672}/${encodeURIComponent(vhost)}`,
    hostName: url.hostname,
    port: Number(url.port || 5672),
    virtualHost: vhost || '/',
    userName: decodeURIComponent(url.username || 'guest'),
    password: decodeURIComponent(url.password || 'guest'),
  };
}

export interface ReplicaOptions {
  /** Reach the broker through the rig's TCP proxy, so a test can take it away. */
  viaProxy?: boolean;
  pollMs?: number;
}

/**
 * Monitor replicas as real processes over one PostgreSQL database and the shared RabbitMQ, with
 * HA on and Plain authentication. The catalogue has one component, `sleep`, that runs
 * `sleep $SleepSeconds`.
 */
export class ReplicaRig {
  readonly broker = brokerFromEnv();
  private readonly replicas: MonitorProcess[] = [];

  private constructor(
    readonly harness: EngineHarness,
    readonly dir: string,
    public proxy: TcpProxy,
  ) {}

  static async create(environments: string[]): Promise<ReplicaRig> {
    const harness = await EngineHarness.create('postgres');
    const dir = mkdtempSync(join(tmpdir(), 'dorc-http-'));
    const proxy = await startTcpProxy({
      targetHost: brokerFromEnv().hostName,
      targetPort: brokerFromEnv().port,
    });
    const rig = new ReplicaRig(harness, dir, proxy);
    await harness.script('sleep.sh', 'sleep "${SleepSeconds:-1}"');
    await harness.catalog(
      'App',
      environments.map((name) => ({ name })),
      [{ name: 'sleep', script: 'sleep.sh' }],
    );
    return rig;
  }

  async startReplica(monitorId: string, options: ReplicaOptions = {}): Promise<MonitorProcess> {
    const b = this.broker;
    const port = options.viaProxy ? this.proxy.port : b.port;
    const hostName = options.viaProxy ? '127.0.0.1' : b.hostName;
    const replica = await MonitorProcess.start(monitorId, {
      dir: this.dir,
      appSettings: {
        ScriptRoot: this.harness.scriptRoot,
        RequestProcessingIterationDelayMs: options.pollMs ?? 300,
        // One environment each, so that two environments land on two replicas.
        MaxConcurrentDeployments: 1,
        Database: {
          Type: 'postgres',
          ConnectionString: this.harness.db.settings.connectionString,
          RunMigrations: false,
        },
        HighAvailability: {
          Enabled: true,
          HeartbeatSeconds: 5,
          RabbitMQ: {
            HostName: hostName,
            Port: port,
            VirtualHost: b.virtualHost,
            AuthMode: 'Plain',
            UserName: b.userName,
            Password: b.password,
          },
        },
      },
    });
    this.replicas.push(replica);
    return replica;
  }

  /** Takes the proxy away: connections drop and new ones are refused. */
  async cutBroker(): Promise<void> {
    await this.proxy.close();
  }

  /** Listens again on the same port. */
  async restoreBroker(): Promise<void> {
    this.proxy = await startTcpProxy({
      targetHost: this.broker.hostName,
      targetPort: this.broker.port,
      listenPort: this.proxy.port,
    });
  }

  submit(environment: string, sleepSeconds: number): Promise<number> {
    return this.harness.submit(environment, ['sleep'], {
      properties: { SleepSeconds: String(sleepSeconds) },
    });
  }

  async cleanup(): Promise<void> {
    await Promise.allSettled(this.replicas.map((r) => r.stop()));
    this.replicas.forEach((r) => r.saveOutput());
    await this.proxy.close().catch(() => undefined);
    await this.harness.cleanup();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
