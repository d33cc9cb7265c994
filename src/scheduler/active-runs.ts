import type { RunAbortReason, RunOutcome } from '../deployment/run-types';

export interface ActiveRun {
  requestId: number;
  environment: string;
  startedAt: Date;
  epoch: number;
  controller: AbortController;
  done: Promise<RunOutcome>;
}

/** The requests this replica is executing, by id. */
export class ActiveRuns {
  private readonly runs = new Map<number, ActiveRun>();

  add(run: ActiveRun): void {
    this.runs.set(run.requestId, run);
  }

  remove(requestId: number): void {
    this.runs.delete(requestId);
  }

  has(requestId: number): boolean {
    return this.runs.has(requestId);
  }

  get(requestId: number): ActiveRun | undefined {
    return this.runs.get(requestId);
  }

  all(): ActiveRun[] {
    return [...this.runs.values()];
  }

  abort(requestId: number, reason: RunAbortReason): boolean {
    const run = this.runs.get(requestId);
    if (!run || run.controller.signal.aborted) return false;
    run.controller.abort(reason);
    return true;
  }

  abortAll(reason: RunAbortReason): void {
    for (const run of this.runs.values()) {
      if (!run.controller.signal.aborted) run.controller.abort(reason);
    }
  }
}
