/**
 * N real monitor replicas (child processes of the BUILT monitor, `node dist/main.js start
 * --config <file>`) over one shared PostgreSQL database, one shared ScriptRoot and RabbitMQ.
 * Needs `npm run build` first (`npm test` does it in `pretest`).
 *
 * ```ts
 * const cluster = await MonitorCluster.start({ replicas: 3 });   // migrated DB, all ready
 * afterAll(() => cluster.stopAll());
 * const setup = await cluster.work.recordingSetup(6, 0.5);      // 6 environments, script 'record'
 * const ids = await cluster.work.submitRound(setup, 4);         // 24 Pending requests
 * const rows = await cluster.waitFinal(ids, 60_000);            // every one final, or throws
 * const runs = await cluster.work.runs();                       // start/end per run + replica
 * ```
 *
 * Options (`MonitorClusterOptions`, every one optional):
 * - `replicas` (3): ids are `replica-1`, `replica-2`, ...; each gets its own free HTTP port.
 * - `rabbit`: a `RabbitTarget` or `(replicaId) => RabbitTarget` (e.g. a TCP proxy per replica,
 *   or a broker node: `{ host: '127.0.0.1', port: node.port, userName: 'guest', password:
 *   'guest', virtualHost: '/' }`). Default `rabbitTargetFromEnv()`: RABBITMQ_URL or
 *   127.0.0.1:5672 guest/guest. Always `AuthMode: Plain`.
 * - `heartbeatSeconds` (2), `pollMs` = RequestProcessingIterationDelayMs (200),
 *   `requestLeaseSeconds` (10, the product default), `shutdownGraceSeconds` (5),
 *   `highAvailability` (true).
 * - `appSettings(replicaId)`: more `AppSettings` keys, deep-merged last (e.g. `{ RecoveryPolicy }`
 *   under `HighAvailability`, `MaxConcurrentDeployments`).
 * - `env`: more environment variables for the children (they get JSON logs at debug level, and
 *   none of the test process's `AppSettings__*` variables).
 * - `autoStart` (true): start every replica and wait until each is ready; with false, call
 *   `start(id)` / `startAll()` yourself.
 *
 * Replica control, by id: `start`, `startAll`, `kill(id, 'SIGKILL' | 'SIGTERM')` (sends only;
 * follow with `waitExit`), `pause` (SIGSTOP), `resume` (SIGCONT), `restart` (SIGKILL if running,
 * then the same settings and port again), `waitExit`, `waitReady` (GET /health/ready = 200),
 * `http(id, path)` (GET; body parsed when JSON), `logs(id)` / `allLogs()` (`LogLine[]`, JSON lines
 * parsed), `waitForLog(id, regex, timeoutMs?, from?)`, `pid(id)`, `replica(id)`.
 * Each replica's output is also in `<workDir>/<id>.log`; set KEEP_CLUSTER_FILES=1 to keep them.
 *
 * Database side (`cluster.work`, a `MonitorWorkload`): `applyCatalog(doc)` (a `catalog apply`
 * document), `recordingScript(name, sleepSeconds)`, `recordingSetup(count, sleepSeconds,
 * prefix?)` (environments `<prefix>-<suffix>-<n>`, project `App`, component `record`),
 * `submit(SubmitRequest)` (RequestService.submit), `submitRound(setup, n)`, `request(id)`,
 * `requests(ids)`, `openRequests()`, `runs()` (every start/end a recording script wrote, with
 * `replica` = the request's final `OwnerId`; a run cut off by a kill has `end: null`), `suffix`
 * (random, keeps environment names and so lock queues unique on a shared broker).
 * `cluster.waitFinal(ids, timeoutMs)` waits for final statuses. `cluster.dataSource` is the
 * test's own connection to the shared database; `scriptRoot`, `recordFile`, `workDir` are paths.
 * monitor-records.ts has the helpers to judge runs: `runIntervals` (for engine-harness's
 * `overlapsWithin`), `startOrderByEnvironment`, `startCounts`.
 *
 * `stopAll()` SIGKILLs every process it started (by pid; their scripts die with them through the
 * watchdog), deletes the temp dir and drops the database. It is safe to call twice and also runs
 * (the synchronous part) when the test process exits. Every wait is bounded.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { DataSource } from 'typeorm';
import {
  DeploymentRequestEntity,
  FINAL_REQUEST_STATUSES,
} from '../../src/persistence/entities/deployment-request.entity';
import { openDataSource } from '../../src/persistence/data-source.factory';
import { createPostgresDatabase, TestDatabaseSettings } from './databases';
import {
  freePort,
  RabbitTarget,
  rabbitTargetFromEnv,
  replicaAppSettings,
  replicaEnv,
} from './monitor-config';
import { LogLine, MonitorReplica, ReplicaExit } from './monitor-replica';
import { MonitorWorkload } from './monitor-workload';

export type { LogLine, ReplicaExit } from './monitor-replica';
export type { RabbitTarget } from './monitor-config';

export interface MonitorClusterOptions {
  replicas?: number;
  rabbit?: RabbitTarget | ((replicaId: string) => RabbitTarget);
  heartbeatSeconds?: number;
  pollMs?: number;
  requestLeaseSeconds?: number;
  shutdownGraceSeconds?: number;
  highAvailability?: boolean;
  appSettings?: (replicaId: string) => Record<string, unknown>;
  env?: Record<string, string>;
  autoStart?: boolean;
  /** Per replica, for `autoStart`. Default 30 s. */
  readyTimeoutMs?: number;
}

const PROJECT_ROOT = resolve(__dirname, '..', '..');
const live = new Set<MonitorCluster>();
let exitHookInstalled = false;

export class MonitorCluster {
  private readonly replicas = new Map<string, MonitorReplica>();
  private stopped?: Promise<void>;

  private constructor(
    readonly workDir: string,
    readonly dataSource: DataSource,
    private readonly db: TestDatabaseSettings,
    readonly work: MonitorWorkload,
  ) {}

  /** Creates the database (migrated once), the temp dirs and the replicas; starts them by default. */
  static async start(options: MonitorClusterOptions = {}): Promise<MonitorCluster> {
    assertBuilt();
    const workDir = await mkdtemp(join(tmpdir(), 'dorc-cluster-'));
    const scriptRoot = join(workDir, 'scripts');
    await mkdir(scriptRoot);
    const db = await createPostgresDatabase();
    const dataSource = await openDataSource(db.settings, { runMigrations: true }).catch(
      async (e: unknown) => {
        await db.cleanup();
        rmSync(workDir, { recursive: true, force: true });
        throw e;
      },
    );
    const suffix = randomBytes(4).toString('hex');
    const work = new MonitorWorkload(dataSource, scriptRoot, join(workDir, 'record.log'), suffix);
    const cluster = new MonitorCluster(workDir, dataSource, db, work);
    cluster.register();
    try {
      await cluster.createReplicas(options, scriptRoot);
      if (options.autoStart ?? true) await cluster.startAll(options.readyTimeoutMs);
    } catch (error) {
      await cluster.stopAll();
      throw error;
    }
    return cluster;
  }

  get replicaIds(): string[] {
    return [...this.replicas.keys()];
  }

  get scriptRoot(): string {
    return this.work.scriptRoot;
  }

  get recordFile(): string {
    return this.work.recordFile;
  }

  replica(id: string): MonitorReplica {
    const replica = this.replicas.get(id);
    if (!replica) throw new Error(`no replica '${id}' (have: ${this.replicaIds.join(', ')})`);
    return replica;
  }

  pid(id: string): number | undefined {
    return this.replica(id).pid;
  }

  /** Starts one replica and waits until it is ready. */
  async start(id: string, readyTimeoutMs = 30_000): Promise<void> {
    this.replica(id).start();
    await this.replica(id).waitReady(readyTimeoutMs);
  }

  async startAll(readyTimeoutMs = 30_000): Promise<void> {
    for (const replica of this.replicas.values()) replica.start();
    await Promise.all([...this.replicas.values()].map((r) => r.waitReady(readyTimeoutMs)));
  }

  kill(id: string, signal: 'SIGKILL' | 'SIGTERM' = 'SIGKILL'): void {
    this.replica(id).signal(signal);
  }

  pause(id: string): void {
    this.replica(id).signal('SIGSTOP');
  }

  resume(id: string): void {
    this.replica(id).signal('SIGCONT');
  }

  waitExit(id: string, timeoutMs = 15_000): Promise<ReplicaExit> {
    return this.replica(id).waitExit(timeoutMs);
  }

  /** SIGKILL if it runs, then the same settings (and port) again; waits until ready. */
  async restart(id: string, readyTimeoutMs = 30_000): Promise<void> {
    await this.replica(id).forceStop();
    await this.start(id, readyTimeoutMs);
  }

  waitReady(id: string, timeoutMs = 30_000): Promise<void> {
    return this.replica(id).waitReady(timeoutMs);
  }

  http(id: string, path: string): Promise<{ status: number; body: unknown }> {
    return this.replica(id).http(path);
  }

  logs(id: string): LogLine[] {
    return this.replica(id).logs();
  }

  allLogs(): LogLine[] {
    return [...this.replicas.values()].flatMap((r) => r.logs());
  }

  waitForLog(id: string, pattern: RegExp, timeoutMs = 15_000, from = 0): Promise<LogLine> {
    return this.replica(id).waitForLog(pattern, timeoutMs, from);
  }

  /** Waits until every request is in a final status; throws with the stuck ones after `timeoutMs`. */
  async waitFinal(ids: number[], timeoutMs = 60_000): Promise<DeploymentRequestEntity[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const rows = await this.work.requests(ids);
      const open = rows.filter((r) => !FINAL_REQUEST_STATUSES.includes(r.status));
      if (open.length === 0 && rows.length === ids.length) return rows;
      if (Date.now() > deadline) throw new Error(this.stuckReport(open, timeoutMs));
      await new Promise((done) => setTimeout(done, 200));
    }
  }

  /** Kills every process it started, deletes its files, drops the database. Safe to call twice. */
  stopAll(): Promise<void> {
    this.stopped ??= this.doStop();
    return this.stopped;
  }

  private async doStop(): Promise<void> {
    const replicas = [...this.replicas.values()];
    await Promise.allSettled(replicas.map((r) => r.forceStop()));
    await Promise.allSettled(replicas.map((r) => r.closeLog()));
    if (this.dataSource.isInitialized) await this.dataSource.destroy().catch(() => undefined);
    await this.db.cleanup();
    if (!process.env.KEEP_CLUSTER_FILES) await rm(this.workDir, { recursive: true, force: true });
    live.delete(this);
  }

  private async createReplicas(options: MonitorClusterOptions, scriptRoot: string): Promise<void> {
    const count = options.replicas ?? 3;
    for (let n = 1; n <= count; n++) {
      const id = `replica-${n}`;
      const httpPort = await freePort();
      const rabbit = typeof options.rabbit === 'function' ? options.rabbit(id) : options.rabbit;
      const settings = replicaAppSettings({
        monitorId: id,
        httpPort,
        scriptRoot,
        database: this.db.settings,
        rabbit: rabbit ?? rabbitTargetFromEnv(),
        heartbeatSeconds: options.heartbeatSeconds ?? 2,
        pollMs: options.pollMs ?? 200,
        requestLeaseSeconds: options.requestLeaseSeconds ?? 10,
        shutdownGraceSeconds: options.shutdownGraceSeconds ?? 5,
        highAvailability: options.highAvailability ?? true,
        extra: options.appSettings?.(id),
      });
      const configFile = join(this.workDir, `${id}.appsettings.json`);
      await writeFile(configFile, JSON.stringify(settings, null, 2));
      const spec = { id, httpPort, configFile, logFile: join(this.workDir, `${id}.log`) };
      const env = replicaEnv(options.env);
      this.replicas.set(
        id,
        new MonitorReplica({ ...spec, projectRoot: PROJECT_ROOT, cwd: this.workDir, env }),
      );
    }
  }

  private stuckReport(open: DeploymentRequestEntity[], timeoutMs: number): string {
    const rows = open.map(
      (r) => `  ${r.id} ${r.environment} ${r.status} owner=${r.ownerId ?? '-'}`,
    );
    const tails = [...this.replicas.values()].map((r) => r.failure('log tail').message);
    return [`requests not final after ${timeoutMs} ms:`, ...rows, ...tails].join('\n');
  }

  private register(): void {
    live.add(this);
    if (exitHookInstalled) return;
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const cluster of live) cluster.emergencyStop();
    });
  }

  /** At process exit only synchronous work runs: kill our pids, remove our files. */
  private emergencyStop(): void {
    for (const replica of this.replicas.values()) replica.killNow();
    rmSync(this.workDir, { recursive: true, force: true });
  }
}

function assertBuilt(): void {
  const main = join(PROJECT_ROOT, 'dist', 'main.js');
  if (existsSync(main)) return;
  throw new Error(
    `${main} does not exist: run \`npm run build\` before the multi-replica tests (npm test does it in pretest)`,
  );
}
