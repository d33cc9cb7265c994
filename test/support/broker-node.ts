import { execFile } from 'node:child_process';
import {
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer, AddressInfo } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * A second RabbitMQ node for tests, beside the default `rabbit@localhost` on 5672: its own node
 * name, AMQP and distribution ports, and data under a temp dir owned by the `rabbitmq` user.
 * It shares the Erlang cookie, which is harmless. Needs root (the Debian scripts switch to the
 * `rabbitmq` user) or the `rabbitmq` user itself.
 */
export interface BrokerOAuthOptions {
  /** RSA public key (SPKI PEM) that verifies tokens. */
  publicKeyPem: string;
  /** Key id; tokens without a `kid` header use it too (`default_key`). */
  kid: string;
  /** Scope aliases (advanced.config), e.g. `{'rabbitmq:read:*': ['rabbitmq.read:*\/*']}`. */
  scopeAliases?: Record<string, string[]>;
}

export interface BrokerNodeOptions {
  /** Erlang node name before `@localhost`; a random one by default. */
  nodeName?: string;
  /** AMQP port; a free one by default. */
  amqpPort?: number;
  /** Authenticate with OAuth 2.0 tokens only. Without it, `guest`/`guest` works over loopback. */
  oauth?: BrokerOAuthOptions;
  /** More `rabbitmq.conf` lines, appended as given. */
  extraConfig?: string[];
}

const STARTUP_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 30_000;
const running = new Set<BrokerNode>();

/** Start a node and wait until it accepts work. */
export async function startBrokerNode(options: BrokerNodeOptions = {}): Promise<BrokerNode> {
  const amqpPort = options.amqpPort ?? (await freePort());
  const distPort = await freePort();
  const name = options.nodeName ?? `dorc-test-${Math.random().toString(36).slice(2, 10)}`;
  const node = new BrokerNode(`${name}@localhost`, amqpPort, distPort, options);
  try {
    await node.boot();
  } catch (error) {
    await node.stop();
    throw error;
  }
  return node;
}

export class BrokerNode {
  /** AMQP URL without credentials. */
  readonly url: string;
  /** Credentials for a node without OAuth. */
  readonly credentials?: { userName: string; password: string };
  readonly dir: string;
  private stopped = false;

  constructor(
    readonly nodeName: string,
    readonly port: number,
    private readonly distPort: number,
    options: BrokerNodeOptions = {},
  ) {
    this.url = `amqp://127.0.0.1:${port}`;
    if (!options.oauth) this.credentials = { userName: 'guest', password: 'guest' };
    this.dir = mkdtempSync(join(tmpdir(), 'dorc-broker-'));
    writeNodeFiles(this.dir, port, options);
  }

  /** Start (or start again, with the same ports and data) and wait for readiness. */
  async boot(): Promise<void> {
    if (this.stopped) throw new Error(`broker node ${this.nodeName} was stopped for good`);
    running.add(this);
    try {
      await run('rabbitmq-server', ['-detached'], { env: this.env(), timeout: 30_000 });
      await this.awaitStartup();
    } catch (error) {
      const logTail = this.logTail();
      await this.halt();
      // A rejected rabbitmq.conf makes a detached node exit without a word in its log.
      const hint = 'if the log is empty, check the config keys';
      throw new Error(
        `broker node ${this.nodeName} did not start (${hint}): ${String(error)}\n${logTail}`,
      );
    }
  }

  /** Stop the node but keep its data, so `boot()` can bring it back. */
  async halt(): Promise<void> {
    const pid = this.pid();
    await this.ctl(['stop'], 20_000).catch(() => undefined);
    if (pid !== undefined) await waitForExit(pid, STOP_TIMEOUT_MS);
    running.delete(this);
  }

  async restart(): Promise<void> {
    await this.halt();
    await this.boot();
  }

  /** Stop the node and delete its files. Safe to call twice. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    await this.halt();
    this.stopped = true;
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Run `rabbitmqctl -n <node> ...` and return its output. */
  async ctl(args: string[], timeoutMs = 30_000): Promise<string> {
    const { stdout } = await run('rabbitmqctl', ['-n', this.nodeName, ...args], {
      timeout: timeoutMs,
    });
    return stdout;
  }

  /** The node's OS pid from its pid file, if it wrote one. */
  pid(): number | undefined {
    const file = join(this.dir, 'node.pid');
    if (!existsSync(file)) return undefined;
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  }

  /** Last resort at process exit: signal only the pid this node wrote. */
  killNow(): void {
    const pid = this.pid();
    if (pid !== undefined && isAlive(pid)) process.kill(pid, 'SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async awaitStartup(): Promise<void> {
    const deadline = Date.now() + STARTUP_TIMEOUT_MS;
    for (;;) {
      // Exits 69 until the node has registered with epmd; retry until it is up.
      const ok = await this.ctl(['await_startup', '--timeout', '10'], 15_000).then(
        () => true,
        () => false,
      );
      if (ok) return;
      if (Date.now() > deadline) throw new Error('await_startup timed out');
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }

  private env(): NodeJS.ProcessEnv {
    const d = this.dir;
    return {
      ...process.env,
      RABBITMQ_NODENAME: this.nodeName,
      RABBITMQ_NODE_PORT: String(this.port),
      RABBITMQ_DIST_PORT: String(this.distPort),
      RABBITMQ_BASE: d,
      RABBITMQ_MNESIA_BASE: join(d, 'mnesia'),
      RABBITMQ_LOG_BASE: join(d, 'log'),
      RABBITMQ_PID_FILE: join(d, 'node.pid'),
      RABBITMQ_CONFIG_FILE: join(d, 'rabbitmq.conf'),
      RABBITMQ_ENABLED_PLUGINS_FILE: join(d, 'enabled_plugins'),
      RABBITMQ_ADVANCED_CONFIG_FILE: join(d, 'advanced.config'),
    };
  }

  private logTail(): string {
    const logDir = join(this.dir, 'log');
    if (!existsSync(logDir)) return '(no log)';
    const logs = readdirSync(logDir).filter((f) => f.endsWith('.log'));
    const text = logs.map((f) => readFileSync(join(logDir, f), 'utf8')).join('\n');
    return text.split('\n').slice(-40).join('\n');
  }
}

function writeNodeFiles(dir: string, port: number, options: BrokerNodeOptions): void {
  const oauth = options.oauth;
  const conf = [`listeners.tcp.1 = 127.0.0.1:${port}`];
  let advanced = '[].';
  if (oauth) {
    writeFileSync(join(dir, 'signing-key.pem'), oauth.publicKeyPem);
    conf.push(
      'auth_backends.1 = rabbit_auth_backend_oauth2',
      'auth_oauth2.resource_server_id = rabbitmq',
      `auth_oauth2.default_key = ${oauth.kid}`,
      `auth_oauth2.signing_keys.${oauth.kid} = ${join(dir, 'signing-key.pem')}`,
    );
    if (oauth.scopeAliases) advanced = scopeAliasesConfig(oauth.scopeAliases);
  }
  conf.push(...(options.extraConfig ?? []));
  writeFileSync(join(dir, 'rabbitmq.conf'), `${conf.join('\n')}\n`);
  writeFileSync(join(dir, 'advanced.config'), `${advanced}\n`);
  const plugins = oauth ? '[rabbitmq_auth_backend_oauth2].' : '[].';
  writeFileSync(join(dir, 'enabled_plugins'), `${plugins}\n`);
  for (const sub of ['mnesia', 'log']) mkdirSync(join(dir, sub));
  giveToRabbitmq(dir);
}

/** `scope_aliases` as an Erlang map of binaries to lists of binaries. */
function scopeAliasesConfig(aliases: Record<string, string[]>): string {
  const bin = (s: string) => `<<"${s.replace(/[\\"]/g, (c) => `\\${c}`)}">>`;
  const entries = Object.entries(aliases).map(
    ([alias, scopes]) => `${bin(alias)} => [${scopes.map(bin).join(', ')}]`,
  );
  return `[{rabbitmq_auth_backend_oauth2, [{scope_aliases, #{${entries.join(', ')}}}]}].`;
}

function giveToRabbitmq(dir: string): void {
  if (userInfo().username === 'rabbitmq') return;
  if (process.getuid?.() !== 0) throw new Error('broker-node needs root or the rabbitmq user');
  const entry = /^rabbitmq:[^:]*:(\d+):(\d+):/m.exec(readFileSync('/etc/passwd', 'utf8'));
  if (!entry) throw new Error('no rabbitmq user on this machine');
  const [uid, gid] = [Number(entry[1]), Number(entry[2])];
  const walk = (path: string) => {
    chownSync(path, uid, gid);
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const child = join(path, entry.name);
      if (entry.isDirectory()) walk(child);
      else chownSync(child, uid, gid);
    }
  };
  walk(dir);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Wait for the pid to go; if it will not, kill that one pid. */
async function waitForExit(pid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (isAlive(pid)) process.kill(pid, 'SIGKILL');
}

// Jest workers exit after a failed suite; never leave a node running behind them.
process.once('exit', () => {
  for (const node of running) node.killNow();
});
