/**
 * One monitor replica as a real child process of the built monitor (`node dist/main.js start
 * --config <file>`), for multi-process tests. Used through `MonitorCluster`
 * (test/support/monitor-cluster.ts); see there for the API that tests call.
 *
 * Every stdout/stderr line is kept in memory (parsed when it is JSON) and appended to a log file.
 * Every wait is bounded and fails with the replica's last log lines.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, WriteStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** One line a replica printed. `json` is set for the monitor's JSON log lines. */
export interface LogLine {
  replica: string;
  stream: 'stdout' | 'stderr';
  text: string;
  /** Parsed pino line: `msg`, `level` (20 debug, 30 info, 40 warn, 50 error), `time` (ms)... */
  json?: Record<string, unknown> & { msg?: string; level?: number; time?: number };
  /** When the test process read the line (ms since 1970). */
  receivedAt: number;
}

export interface ReplicaSpawnSpec {
  id: string;
  httpPort: number;
  configFile: string;
  logFile: string;
  /** Directory holding dist/main.js. */
  projectRoot: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

export interface ReplicaExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  at: number;
}

const POLL_MS = 50;

export class MonitorReplica {
  private child?: ChildProcess;
  private lines: LogLine[] = [];
  private file?: WriteStream;
  private exited?: Promise<ReplicaExit>;
  /** How the last process of this replica ended, once it has. */
  lastExit?: ReplicaExit;

  constructor(readonly spec: ReplicaSpawnSpec) {}

  get id(): string {
    return this.spec.id;
  }

  /** The pid of the running process, if any. */
  get pid(): number | undefined {
    return this.isRunning() ? this.child?.pid : undefined;
  }

  isRunning(): boolean {
    return this.child !== undefined && this.lastExit === undefined;
  }

  /** Spawns the process (logs of earlier runs are kept). Throws if it is already running. */
  start(): void {
    if (this.isRunning()) throw new Error(`replica ${this.id} is already running`);
    this.lastExit = undefined;
    this.file ??= createWriteStream(this.spec.logFile, { flags: 'a' });
    const main = join(this.spec.projectRoot, 'dist', 'main.js');
    const child = spawn(process.execPath, [main, 'start', '--config', this.spec.configFile], {
      cwd: this.spec.cwd,
      env: this.spec.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.capture(child, 'stdout');
    this.capture(child, 'stderr');
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.lastExit = { code, signal, at: Date.now() };
        resolve(this.lastExit);
      });
    });
  }

  /** Sends a signal to this replica's own pid (SIGSTOP/SIGCONT pause and resume it). */
  signal(signal: NodeJS.Signals): void {
    const pid = this.pid;
    if (pid === undefined) throw new Error(`replica ${this.id} is not running`);
    process.kill(pid, signal);
  }

  /** Resolves when the process has exited; throws after `timeoutMs`. */
  async waitExit(timeoutMs = 15_000): Promise<ReplicaExit> {
    if (!this.exited) throw new Error(`replica ${this.id} was never started`);
    const timeout = delay(timeoutMs, true).then(() => undefined);
    const exit = await Promise.race([this.exited, timeout]);
    if (!exit) throw this.failure(`did not exit within ${timeoutMs} ms`);
    return exit;
  }

  /** SIGKILL (also works while paused) and wait for the exit; a no-op when not running. */
  async forceStop(): Promise<void> {
    if (!this.isRunning()) return;
    this.signal('SIGKILL');
    await this.waitExit();
  }

  /** Synchronous last resort at process exit: SIGKILL to the pid this replica started. */
  killNow(): void {
    const pid = this.pid;
    if (pid === undefined) return;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone between the check and the kill: nothing left to stop.
    }
  }

  logs(): LogLine[] {
    return [...this.lines];
  }

  /** The first line (from index `from` on) whose text matches; throws after `timeoutMs`. */
  async waitForLog(pattern: RegExp, timeoutMs = 15_000, from = 0): Promise<LogLine> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.lines.slice(from).find((l) => pattern.test(l.json?.msg ?? l.text));
      if (hit) return hit;
      if (Date.now() > deadline)
        throw this.failure(`no log line matching ${String(pattern)} within ${timeoutMs} ms`);
      await delay(POLL_MS);
    }
  }

  /** GET on this replica's HTTP port; the body is parsed when it is JSON. */
  async http(path: string, timeoutMs = 3000): Promise<{ status: number; body: unknown }> {
    const url = `http://127.0.0.1:${this.spec.httpPort}${path}`;
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    const text = await response.text();
    return { status: response.status, body: parseJson(text) ?? text };
  }

  /** Waits until GET /health/ready answers 200; throws after `timeoutMs` or if the process exits. */
  async waitReady(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = 'no answer yet';
    for (;;) {
      if (this.lastExit)
        throw this.failure(`exited (${describeExit(this.lastExit)}) before it was ready`);
      const answer = await this.http('/health/ready', 1000).catch((e: unknown) => String(e));
      if (typeof answer !== 'string' && answer.status === 200) return;
      last = typeof answer === 'string' ? answer : `HTTP ${answer.status}`;
      if (Date.now() > deadline) throw this.failure(`not ready within ${timeoutMs} ms (${last})`);
      await delay(200);
    }
  }

  /** Closes the log file; call after the process is gone. */
  async closeLog(): Promise<void> {
    const file = this.file;
    this.file = undefined;
    if (file) await new Promise<void>((resolve) => file.end(() => resolve()));
  }

  /** An error naming this replica, with its last log lines to show what it was doing. */
  failure(what: string): Error {
    const tail = this.lines
      .slice(-25)
      .map((l) => l.text)
      .join('\n');
    return new Error(
      `replica ${this.id}: ${what}\n--- last log lines (${this.spec.logFile}) ---\n${tail}`,
    );
  }

  private capture(child: ChildProcess, stream: 'stdout' | 'stderr'): void {
    const source = child[stream];
    if (!source) return;
    createInterface({ input: source }).on('line', (text) => {
      const json = parseJson(text);
      const line: LogLine = { replica: this.id, stream, text, receivedAt: Date.now() };
      if (json && typeof json === 'object') line.json = json as LogLine['json'];
      this.lines.push(line);
      this.file?.write(`${text}\n`);
    });
  }
}

function parseJson(text: string): unknown {
  if (!text.startsWith('{') && !text.startsWith('[')) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined; // Not JSON after all (a stack trace line): kept as text.
  }
}

function describeExit(exit: ReplicaExit): string {
  return exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`;
}

/** `unref`: a timer that only bounds a race must not keep the test process alive. */
function delay(ms: number, unref = false): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    if (unref) timer.unref();
  });
}
