import { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findOnPath } from '../../../src/deployment/script-command';
import { scriptBaseEnv } from '../../../src/config/script-base-env';
import { ScriptRunner } from '../../../src/deployment/script-runner';
import type {
  RunningScript,
  ScriptRunOptions,
  ScriptStream,
} from '../../../src/deployment/script-runner.types';
import { killIfAlive, readPidFile, startMonitorProcess, waitFor } from './processes';

const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'scripts');

export const fixture = (name: string) => join(FIXTURES, name);

export interface Line {
  stream: ScriptStream;
  line: string;
}

/**
 * Runs fixture scripts with a real ScriptRunner in a fresh temp ScriptRoot, and cleans up every
 * script, child process and stand-in monitor it started. Call `setUp` in beforeEach and
 * `tearDown` in afterEach.
 */
export class ScriptHarness {
  scriptRoot = '';
  /** Where the fixtures write the pid of the `sleep 300 &` child they start. */
  childPidFile = '';
  private readonly runner = new ScriptRunner();
  private readonly started: RunningScript[] = [];
  private readonly pids: number[] = [];
  private readonly monitors: ChildProcess[] = [];

  setUp(): void {
    this.scriptRoot = realpathSync(mkdtempSync(join(tmpdir(), 'dorc-script-runner-')));
    this.childPidFile = join(this.scriptRoot, 'child.pid');
  }

  async tearDown(): Promise<void> {
    for (const monitor of this.monitors.splice(0)) killIfAlive(monitor.pid);
    for (const script of this.started.splice(0)) {
      script.kill('fenced');
      await script.done;
    }
    for (const pid of this.pids.splice(0)) killIfAlive(pid);
    rmSync(this.scriptRoot, { recursive: true, force: true });
  }

  run(scriptPath: string, overrides: Partial<ScriptRunOptions> = {}) {
    const lines: Line[] = [];
    const script = this.runner.run({
      scriptPath,
      cwd: this.scriptRoot,
      env: { CHILD_PID_FILE: this.childPidFile },
      baseEnv: scriptBaseEnv(process.env),
      watchdogKillAfterMs: 0,
      onLine: (stream, line) => lines.push({ stream, line }),
      ...overrides,
    });
    this.started.push(script);
    const saw = (text: string) => lines.some((l) => l.line === text);
    return { script, lines, saw };
  }

  /** Runs a fixture that starts `sleep 300 &` and says `ready`; gives that child's pid too. */
  async runWithChild(name: string, overrides: Partial<ScriptRunOptions> = {}) {
    const handle = this.run(fixture(name), overrides);
    const childPid = await this.childPid();
    if (!(await waitFor(() => handle.saw('ready'), 5000))) throw new Error(`${name} not ready`);
    return { ...handle, childPid };
  }

  /** The pid the script wrote to `childPidFile`, killed at tear-down if still alive. */
  async childPid(): Promise<number> {
    const pid = await readPidFile(this.childPidFile);
    this.pids.push(pid);
    return pid;
  }

  /** Runs child-then-sleep.sh from a separate Node process that the test can kill or stop. */
  startMonitor(watchdogKillAfterMs: number): ChildProcess {
    const monitor = startMonitorProcess({
      scriptPath: fixture('child-then-sleep.sh'),
      cwd: this.scriptRoot,
      env: { CHILD_PID_FILE: this.childPidFile },
      watchdogKillAfterMs,
    });
    this.monitors.push(monitor);
    return monitor;
  }

  /** A PATH of one temp dir holding bash, setsid and the given programs, nothing else. */
  pathWith(programs: Record<string, string> = {}): string {
    const bin = join(this.scriptRoot, 'bin');
    mkdirSync(bin);
    for (const tool of ['bash', 'setsid']) {
      symlinkSync(findOnPath(tool, process.env.PATH!)!, join(bin, tool));
    }
    for (const [name, text] of Object.entries(programs)) {
      writeFileSync(join(bin, name), text, { mode: 0o755 });
    }
    return bin;
  }
}
