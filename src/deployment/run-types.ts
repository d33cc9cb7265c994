import type { Fence } from '../scheduler/fence';

/** Why a run was told to stop before its end. */
export type RunAbortReason = 'cancel' | 'restart' | 'fenced' | 'lease-lost' | 'shutdown';

/** How a run ended. `Fenced` and `Interrupted` leave the request for recovery. */
export type RunOutcome =
  'Completed' | 'Failed' | 'Cancelled' | 'Errored' | 'Restarting' | 'Fenced' | 'Interrupted';

export interface ScriptPinger {
  /** Tells the running script's watchdog how long it may live without the next renewal. */
  ping(remainingMs: number): void;
}

export interface RunInput {
  requestId: number;
  environment: string;
  isProd: boolean;
  fence: Fence;
  /** Aborted with a `RunAbortReason` as reason. */
  signal: AbortSignal;
  /** 0 disables the watchdog deadline (HA off); the script still dies with the monitor. */
  watchdogKillAfterMs: number;
  /** Called with the running script (or null between scripts) so the lease keeper can ping it. */
  onScript(script: ScriptPinger | null): void;
}

export function abortReason(signal: AbortSignal): RunAbortReason | undefined {
  return signal.aborted ? (signal.reason as RunAbortReason) : undefined;
}
