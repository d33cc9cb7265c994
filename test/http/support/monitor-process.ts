import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { AddressInfo, createServer } from 'node:net';
import { join, resolve } from 'node:path';

/**
 * A real monitor process (`dorc-monitor start --config <file>`) for multi-process tests. Every
 * line it prints and every HTTP answer it gives through `get()` is kept, so tests can look for
 * log lines and for leaked secrets.
 *
 * It runs `dist/main.js` when that build is newer than every source file; otherwise it runs
 * `src/main.ts` through a transpiling require hook, so a stale or missing build never hides a
 * change.
 */
const ROOT = resolve(__dirname, '../../..');
const REGISTER = join(__dirname, 'ts-register.js');
const START_TIMEOUT_MS = 45_000;
const STOP_TIMEOUT_MS = 40_000;
const running = new Set<ChildProcess>();

export interface LogLine {
  level: number;
  time: number;
  msg: string;
  monitorId?: string;
  environment?: string;
  requestId?: number;
  [field: string]: unknown;
}

export interface HttpAnswer {
  path: string;
  status: number;
  body: string;
}

export interface MonitorProcessOptions {
  /** Directory for the settings file. */
  dir: string;
  /** The `AppSettings` section; `MonitorId` and `Http` are filled in when absent. */
  appSettings: Record<string, unknown>;
  /** Extra environment (e.g. `LOG_LEVEL`). */
  env?: Record<string, string>;
}

export class MonitorProcess {
  readonly output: string[] = [];
  readonly answers: HttpAnswer[] = [];
  exitCode?: number | null;
  private readonly exited: Promise<number | null>;

  private constructor(
    readonly monitorId: string,
    readonly port: number,
    readonly configFile: string,
    private readonly child: ChildProcess,
  ) {
    running.add(child);
    collectLines(child, this.output);
    this.exited = new Promise((done) => {
      child.once('exit', (code) => {
        running.delete(child);
        this.exitCode = code;
        done(code);
      });
    });
  }

  /** Starts a monitor and waits until its HTTP server answers `/health/live`. */
  static async start(monitorId: string, options: MonitorProcessOptions): Promise<MonitorProcess> {
    const port = await freePort();
    const appSettings = {
      MonitorId: monitorId,
      Http: { Port: port, Host: '127.0.0.1' },
      ...options.appSettings,
    };
    const configFile = join(options.dir, `${monitorId}.appsettings.json`);
    writeFileSync(configFile, JSON.stringify({ AppSettings: appSettings }, null, 2));
    const env = { ...process.env, LOG_FORMAT: 'json', LOG_LEVEL: 'debug', ...options.env };
    const child = spawn(process.execPath, [...monitorEntry(), 'start', '--config', configFile], {
      cwd: options.dir,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const monitor = new MonitorProcess(monitorId, port, configFile, child);
    try {
      await monitor.waitUntil(
        async () => (await monitor.get('/health/live')).status === 200,
        START_TIMEOUT_MS,
        'start',
      );
    } catch (error) {
      await monitor.kill();
      throw error;
    }
    return monitor;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** GET `path`; a refused connection answers status 0. The answer is kept in `answers`. */
  async get(path: string): Promise<HttpAnswer> {
    let answer: HttpAnswer;
    try {
      const response = await fetch(`${this.url}${path}`, { signal: AbortSignal.timeout(5000) });
      answer = { path, status: response.status, body: await response.text() };
    } catch {
      answer = { path, status: 0, body: '' };
    }
    this.answers.push(answer);
    return answer;
  }

  async getJson<T = Record<string, unknown>>(path: string): Promise<T> {
    const answer = await this.get(path);
    if (answer.status !== 200)
      throw new Error(`${this.monitorId} ${path}: HTTP ${answer.status} ${answer.body}`);
    return JSON.parse(answer.body) as T;
  }

  /** The JSON log lines printed so far. */
  logs(): LogLine[] {
    return this.output.flatMap((line) => {
      if (!line.startsWith('{')) return [];
      try {
        return [JSON.parse(line) as LogLine];
      } catch {
        return [];
      }
    });
  }

  async waitForLog(
    predicate: (line: LogLine) => boolean,
    timeoutMs: number,
    what: string,
  ): Promise<LogLine> {
    let found: LogLine | undefined;
    await this.waitUntil(
      () => (found = this.logs().find(predicate)) !== undefined,
      timeoutMs,
      what,
    );
    return found as LogLine;
  }

  /** Polls `check` every 100 ms; fails with the log tail when the process dies or time runs out. */
  async waitUntil(
    check: () => boolean | Promise<boolean>,
    timeoutMs: number,
    what: string,
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (await check()) return;
      if (this.exitCode !== undefined)
        throw new Error(
          `${this.monitorId} exited (${this.exitCode}) waiting for ${what}\n${this.tail()}`,
        );
      if (Date.now() > deadline)
        throw new Error(`${this.monitorId}: timed out waiting for ${what}\n${this.tail()}`);
      await sleep(100);
    }
  }

  /** SIGTERM, then the exit code; SIGKILL (this pid only) if it does not exit in time. */
  async stop(timeoutMs = STOP_TIMEOUT_MS): Promise<number | null> {
    if (this.exitCode !== undefined) return this.exitCode;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  async kill(): Promise<void> {
    if (this.exitCode !== undefined) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }

  /** Keeps the output for a post-mortem when `DORC_TEST_LOG_DIR` names a directory. */
  saveOutput(): void {
    const dir = process.env.DORC_TEST_LOG_DIR;
    if (dir) writeFileSync(join(dir, `${this.monitorId}.log`), `${this.output.join('\n')}\n`);
  }

  tail(lines = 30): string {
    return this.output.slice(-lines).join('\n');
  }
}

/** Runs a one-shot CLI command (e.g. `config`) to completion. */
export function runMonitorCommand(
  args: string[],
  cwd: string,
): Promise<{ code: number | null; output: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [...monitorEntry(), ...args], {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    collectLines(child, lines);
    child.once('error', fail);
    child.once('close', (code) => done({ code, output: lines.join('\n') }));
  });
}

/** `dist/main.js` when it is up to date, else the TypeScript entry point behind the hook. */
export function monitorEntry(): string[] {
  const built = join(ROOT, 'dist', 'main.js');
  if (existsSync(built) && statSync(built).mtimeMs >= newestSourceMtime(join(ROOT, 'src')))
    return [built];
  return ['-r', REGISTER, join(ROOT, 'src', 'main.ts')];
}

function newestSourceMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const mtime = entry.isDirectory() ? newestSourceMtime(path) : statSync(path).mtimeMs;
    newest = Math.max(newest, mtime);
  }
  return newest;
}

function collectLines(child: ChildProcess, into: string[]): void {
  for (const stream of [child.stdout, child.stderr]) {
    let partial = '';
    stream?.on('data', (chunk: Buffer) => {
      const parts = (partial + chunk.toString('utf8')).split('\n');
      partial = parts.pop() ?? '';
      into.push(...parts.filter((line) => line.length > 0));
    });
    stream?.on('end', () => {
      if (partial) into.push(partial);
    });
  }
}

export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => done(port));
    });
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}

/** Polls `check` every `everyMs` until it holds. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
  everyMs = 100,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

// A failed suite must not leave monitors behind: signal only the pids started here.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});
