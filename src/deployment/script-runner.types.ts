/** Why the monitor stops a script before it ends by itself. */
export type KillReason = 'cancel' | 'fenced' | 'shutdown' | 'timeout';

export type ScriptStream = 'stdout' | 'stderr';

export interface ScriptRunOptions {
  /** Absolute path of the script: `.sh` runs with bash, `.ps1` with pwsh, others directly. */
  scriptPath: string;
  /** Working directory (the ScriptRoot). */
  cwd: string;
  /** The resolved properties; they win over `baseEnv` on a name clash. */
  env: Record<string, string>;
  /**
   * The only part of the monitor's own environment the script sees (PATH, HOME, LANG...; see
   * `scriptBaseEnv` in src/config). Its PATH is also where bash, setsid and pwsh are looked up.
   */
  baseEnv: Record<string, string>;
  /** Kill the script (reason `timeout`) after this many ms. 0 or undefined: no timeout. */
  timeoutMs?: number;
  /**
   * The watchdog kills the script this many ms after start unless `ping` moves the deadline:
   * a frozen or dead monitor cannot keep a script alive past its lease. 0 disables the deadline;
   * the script still dies when the monitor process dies.
   */
  watchdogKillAfterMs: number;
  /** Between SIGTERM and SIGKILL for cancel, shutdown and timeout. Default 2000. */
  killGraceMs?: number;
  /** Each complete line of output, without its line end. Must not throw. */
  onLine(stream: ScriptStream, line: string): void;
}

export interface ScriptOutcome {
  /** The script's exit code; null when it never ran or died of a signal we sent. */
  exitCode: number | null;
  /** The signal that ended the script, when we killed it (`SIGTERM`, `SIGKILL`). */
  signal?: string;
  /** Set when the script was killed: the caller's reason, or `watchdog` (deadline passed). */
  killedFor?: KillReason | 'watchdog';
  durationMs: number;
  /** Why the script could not run, or what went wrong around it, in words a person can act on. */
  error?: string;
}

export interface RunningScript {
  /** Pid of the script, which leads its own process group; undefined until it has started. */
  readonly pid: number | undefined;
  /** Settles (never rejects) once the script and everything left in its group have ended. */
  readonly done: Promise<ScriptOutcome>;
  /**
   * Kills the script's whole process group: at once for `fenced` (someone else may start soon),
   * otherwise SIGTERM then SIGKILL after `killGraceMs`. Safe to call more than once and after
   * the end; the first reason is the one reported.
   */
  kill(reason: KillReason): void;
  /** Moves the watchdog deadline to now + remainingMs; 0 or less kills the script at once. */
  ping(remainingMs: number): void;
}
