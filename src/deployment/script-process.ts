import type { ChildProcess } from 'node:child_process';
import { constants as osConstants } from 'node:os';
import type { Readable } from 'node:stream';
import { LineSplitter } from './line-splitter';
import type {
  KillReason,
  RunningScript,
  ScriptOutcome,
  ScriptRunOptions,
} from './script-runner.types';

const DEFAULT_KILL_GRACE_MS = 2000;

/**
 * After the watchdog exits, how long its output pipes may stay open. Only a process that left
 * the script's group on purpose (a daemon calling setsid) can still hold them.
 */
const PIPE_DRAIN_MS = 1000;

/** One script running under its watchdog (see script-watchdog.ts for the protocol). */
export class ScriptProcess implements RunningScript {
  readonly done: Promise<ScriptOutcome>;
  private scriptPid: number | undefined;
  private killReason: KillReason | undefined;
  private killedBy: string | undefined;
  private finished = false;
  private timeout: NodeJS.Timeout | undefined;
  private readonly startedAt = performance.now();
  private resolveDone!: (outcome: ScriptOutcome) => void;
  private readonly splitters: LineSplitter[] = [];

  constructor(
    private readonly watchdog: ChildProcess,
    private readonly options: ScriptRunOptions,
  ) {
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    this.watchOutput();
    this.watchProcess();
    if (options.timeoutMs && options.timeoutMs > 0) {
      this.timeout = setTimeout(() => this.kill('timeout'), options.timeoutMs);
    }
  }

  get pid(): number | undefined {
    return this.scriptPid;
  }

  kill(reason: KillReason): void {
    if (this.finished) return;
    this.killReason ??= reason;
    const graceMs = reason === 'fenced' ? 0 : (this.options.killGraceMs ?? DEFAULT_KILL_GRACE_MS);
    this.send(`kill ${Math.max(0, Math.floor(graceMs))}`);
  }

  ping(remainingMs: number): void {
    if (this.finished || !Number.isFinite(remainingMs)) return;
    this.send(`ping ${Math.max(0, Math.floor(remainingMs))}`);
  }

  private send(line: string): void {
    const stdin = this.watchdog.stdin;
    if (stdin && stdin.writable) stdin.write(`${line}\n`);
  }

  private watchOutput(): void {
    const { stdout, stderr, stdio } = this.watchdog;
    const onLine = this.options.onLine;
    this.pipeLines(stdout, (line) => onLine('stdout', line));
    this.pipeLines(stderr, (line) => onLine('stderr', line));
    this.pipeLines(stdio[3] as Readable | null, (line) => this.onReport(line));
    // Writing after the watchdog is gone fails with EPIPE: nothing is left to control then.
    this.watchdog.stdin?.on('error', () => undefined);
  }

  private pipeLines(stream: Readable | null | undefined, onLine: (line: string) => void): void {
    if (!stream) return;
    const splitter = new LineSplitter(onLine);
    this.splitters.push(splitter);
    stream.on('data', (chunk: Buffer) => splitter.write(chunk));
    // A destroyed pipe (see destroyPipes) may report an error; what it carried is complete.
    stream.on('error', () => undefined);
  }

  private onReport(line: string): void {
    const [word, value] = line.split(' ');
    if (word === 'started') this.scriptPid = Number(value);
    if (word === 'killing') this.killedBy ??= value;
  }

  private watchProcess(): void {
    this.watchdog.once('error', (error) =>
      this.finish({ exitCode: null, error: spawnError(error) }),
    );
    this.watchdog.once('exit', () => {
      // A watchdog that dies early leaves its control loop behind: EOF makes that loop kill.
      this.watchdog.stdin?.destroy();
      setTimeout(() => this.destroyPipes(), PIPE_DRAIN_MS).unref();
    });
    this.watchdog.once('close', (code, signal) => {
      // Flush last lines without a newline before the outcome, so none arrives after `done`.
      for (const splitter of this.splitters) splitter.end();
      this.finish(this.outcome(code, signal));
    });
  }

  private destroyPipes(): void {
    for (const stream of this.watchdog.stdio) stream?.destroy();
  }

  private outcome(
    code: number | null,
    signal: NodeJS.Signals | null,
  ): Omit<ScriptOutcome, 'durationMs'> {
    if (signal) {
      const error = `the script watchdog was killed by ${signal}; the script may still be running`;
      return { exitCode: null, signal, error };
    }
    const killedFor = this.killedFor();
    if (!killedFor) return { exitCode: code };
    // Bash reports a script that died of signal n as 128 + n; here we sent that signal.
    const diedOfSignal = code !== null && code > 128;
    if (!diedOfSignal) return { exitCode: code, killedFor };
    return { exitCode: null, signal: signalName(code - 128), killedFor };
  }

  private killedFor(): ScriptOutcome['killedFor'] {
    if (this.killedBy === undefined) return undefined;
    return this.killedBy === 'request' && this.killReason ? this.killReason : 'watchdog';
  }

  private finish(outcome: Omit<ScriptOutcome, 'durationMs'>): void {
    if (this.finished) return;
    this.finished = true;
    clearTimeout(this.timeout);
    const durationMs = Math.round(performance.now() - this.startedAt);
    this.resolveDone({ ...outcome, durationMs });
  }
}

function signalName(number: number): string | undefined {
  const entry = Object.entries(osConstants.signals).find(([, value]) => value === number);
  return entry?.[0];
}

function spawnError(error: Error): string {
  return `could not start the script watchdog: ${error.message}`;
}
