import { BenchCluster, StepProperties } from '../cluster/bench-cluster';
import { sleep } from '../support/stats';

export interface SubmittedRequest {
  id: number;
  environment: string;
  step: StepProperties;
  at: number;
}

/** Share of requests whose script exits 1. */
const FAILURE_SHARE = 0.15;

/**
 * A steady stream of requests into random environments: script durations 0.1-3 s, some
 * failing. Submission errors (the database may be slowed on purpose) are counted and retried
 * by the next tick, never fatal.
 */
export class RequestStream {
  readonly submitted: SubmittedRequest[] = [];
  submitErrors = 0;
  private running = false;
  private loop?: Promise<void>;

  constructor(
    private readonly bench: BenchCluster,
    private readonly environments: string[],
    private readonly perSecond: number,
  ) {}

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  private async run(): Promise<void> {
    const everyMs = 1000 / this.perSecond;
    while (this.running) {
      const tick = Date.now();
      await this.submitOne();
      await sleep(Math.max(0, everyMs - (Date.now() - tick)));
    }
  }

  private async submitOne(): Promise<void> {
    const environment = this.environments[Math.floor(Math.random() * this.environments.length)];
    const step = {
      sleepSeconds: Math.round((0.1 + Math.random() * 2.9) * 1000) / 1000,
      exitCode: Math.random() < FAILURE_SHARE ? 1 : 0,
    };
    try {
      const id = await this.bench.submit(environment, step);
      this.submitted.push({ id, environment, step, at: Date.now() });
    } catch {
      this.submitErrors += 1;
    }
  }
}
