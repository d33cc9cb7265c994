import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EngineHarness } from '../../support/engine-harness';
import { BrokerNode, startBrokerNode } from '../../support/broker-node';
import { TokenServer } from '../../support/token-server';
import { EventTap } from '../../http/support/event-tap';
import { MonitorProcess } from '../../http/support/monitor-process';
import { LockProbe } from './lock-probe';

/** Lifetime of the tokens the endpoint issues: short, so a test sees several renewals. */
export const TOKEN_LIFETIME_SECONDS = 10;
/**
 * Renew 5 s before expiry: each 10 s token is renewed after 5 s, and readiness turns 503 about
 * 2.5 s before expiry when renewal fails, a margin no loaded test machine can blur.
 */
export const REFRESH_MARGIN_SECONDS = 5;

/**
 * Everything an OAuth end-to-end test needs: a token endpoint issuing short-lived RS256 tokens,
 * a RabbitMQ node of its own that accepts only those tokens, a PostgreSQL database with a
 * catalogue (component `sleep` runs `sleep $SleepSeconds`), and one monitor process with HA on.
 */
export class OAuthRig {
  monitor!: MonitorProcess;
  private readonly probes: Array<LockProbe | EventTap> = [];

  private constructor(
    readonly tokens: TokenServer,
    readonly broker: BrokerNode,
    readonly harness: EngineHarness,
    readonly dir: string,
  ) {}

  /** `scope`: the scope claim of every token the endpoint issues (default: `DEFAULT_SCOPE`). */
  static async create(environments: string[], options: { scope?: string } = {}): Promise<OAuthRig> {
    const parts: { tokens?: TokenServer; broker?: BrokerNode; harness?: EngineHarness } = {};
    const dir = mkdtempSync(join(tmpdir(), 'dorc-oauth-e2e-'));
    try {
      parts.tokens = await TokenServer.start({
        lifetimeSeconds: TOKEN_LIFETIME_SECONDS,
        clientSecret: `cs-${randomBytes(8).toString('hex')}`,
        ...(options.scope ? { scope: options.scope } : {}),
      });
      parts.broker = await startBrokerNode({
        oauth: { publicKeyPem: parts.tokens.publicKeyPem, kid: parts.tokens.kid },
      });
      parts.harness = await EngineHarness.create('postgres');
    } catch (error) {
      await Promise.allSettled([
        parts.tokens?.stop(),
        parts.broker?.stop(),
        parts.harness?.cleanup(),
      ]);
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
    const rig = new OAuthRig(parts.tokens, parts.broker, parts.harness, dir);
    await rig.harness.script('sleep.sh', 'sleep "${SleepSeconds:-1}"');
    await rig.harness.catalog(
      'App',
      environments.map((name) => ({ name })),
      [{ name: 'sleep', script: 'sleep.sh' }],
    );
    return rig;
  }

  appSettings(): Record<string, unknown> {
    return {
      ScriptRoot: this.harness.scriptRoot,
      RequestProcessingIterationDelayMs: 300,
      ShutdownGraceSeconds: 2,
      Database: {
        Type: 'postgres',
        ConnectionString: this.harness.db.settings.connectionString,
        RunMigrations: false,
      },
      HighAvailability: {
        Enabled: true,
        HeartbeatSeconds: 10,
        RabbitMQ: {
          HostName: '127.0.0.1',
          Port: this.broker.port,
          AuthMode: 'OAuth',
          OAuth: {
            TokenEndpoint: this.tokens.url,
            ClientId: this.tokens.clientId,
            ClientSecret: this.tokens.clientSecret,
            UserName: this.tokens.userName,
            Password: this.tokens.password,
            RefreshMarginSeconds: REFRESH_MARGIN_SECONDS,
            RequestTimeoutSeconds: 2,
          },
        },
      },
    };
  }

  async startMonitor(monitorId: string): Promise<MonitorProcess> {
    this.monitor = await MonitorProcess.start(monitorId, {
      dir: this.dir,
      appSettings: this.appSettings(),
    });
    return this.monitor;
  }

  /** A rival connection with its own long-lived token (guest does not exist on this node). */
  async probe(environment: string): Promise<LockProbe> {
    const token = this.tokens.issueToken({ lifetimeSeconds: 600 });
    const probe = await LockProbe.start(
      this.broker.url,
      { username: '', password: token },
      `dorc.lock.env:${environment}`,
    );
    this.probes.push(probe);
    return probe;
  }

  /** An outside listener on the events exchange, with its own long-lived token. */
  async tap(): Promise<EventTap> {
    const token = this.tokens.issueToken({ lifetimeSeconds: 600 });
    const tap = await EventTap.start(this.broker.url, { username: '', password: token });
    this.probes.push(tap);
    return tap;
  }

  /** Waits for the monitor's "Acquired distributed lock" line for `environment`. */
  acquired(environment: string, timeoutMs = 20_000) {
    const text = `Acquired distributed lock for environment '${environment}'`;
    return this.monitor.waitForLog((l) => l.msg.startsWith(text), timeoutMs, text);
  }

  async cleanup(): Promise<void> {
    await Promise.allSettled(this.probes.map((p) => p.stop()));
    await this.monitor?.stop().catch(() => undefined);
    this.monitor?.saveOutput();
    await Promise.allSettled([this.tokens.stop(), this.broker.stop()]);
    await this.harness.cleanup();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
