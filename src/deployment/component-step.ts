import * as path from 'node:path';
import type { ResultStatus } from '../persistence/entities/deployment-result.entity';
import { AppLogger } from '../logging/app-logger';
import { OutputTail } from './output-tail';
import { abortReason, RunInput } from './run-types';
import { ScriptRunner } from './script-runner';
import type { CatalogComponent } from './catalog.reader';

export interface StepResult {
  status: ResultStatus;
  log: string;
  /** Set when the run must stop without recording anything more (fenced, shutdown...). */
  interrupted?: boolean;
}

export interface StepOptions {
  scriptRoot: string;
  baseEnv: Record<string, string>;
  properties: Record<string, string>;
  timeoutMs: number;
  logMaxBytes: number;
}

/** Runs one component's script and turns what happened into a result status and log. */
export class ComponentStep {
  private readonly logger = new AppLogger('Deployment');

  constructor(private readonly runner: ScriptRunner) {}

  async run(
    component: CatalogComponent,
    input: RunInput,
    options: StepOptions,
  ): Promise<StepResult> {
    const script = component.script;
    if (!script) return { status: 'Complete', log: 'Component has no script; nothing to run.' };
    if (script.nonProdOnly && input.isProd) {
      const log =
        `Skipped: script '${script.name}' is NonProdOnly ` +
        'and this is a production environment.';
      return { status: 'Warning', log };
    }
    return this.runScript(component, input, options);
  }

  private async runScript(component: CatalogComponent, input: RunInput, options: StepOptions) {
    const tail = new OutputTail(options.logMaxBytes);
    // An abort that arrived while the step was being recorded: never start the script.
    if (input.signal.aborted) return this.toResult({ exitCode: null, durationMs: 0 }, tail, input);
    const fields = {
      environment: input.environment,
      requestId: input.requestId,
      component: component.name,
    };
    const running = this.runner.run({
      scriptPath: path.resolve(options.scriptRoot, component.script!.path),
      cwd: options.scriptRoot,
      env: options.properties,
      baseEnv: options.baseEnv,
      timeoutMs: options.timeoutMs,
      watchdogKillAfterMs: input.watchdogKillAfterMs,
      onLine: (stream, line) => {
        tail.push(line);
        this.logger.log('Script output', { ...fields, componentId: component.id, stream, line });
      },
    });
    input.onScript(running);
    const stop = () => running.kill(abortReason(input.signal) === 'cancel' ? 'cancel' : 'fenced');
    input.signal.addEventListener('abort', stop, { once: true });
    if (input.signal.aborted) stop();
    try {
      const outcome = await running.done;
      return this.toResult(outcome, tail, input);
    } finally {
      input.signal.removeEventListener('abort', stop);
      input.onScript(null);
    }
  }

  private toResult(
    outcome: Awaited<ReturnType<ScriptRunner['run']>['done']>,
    tail: OutputTail,
    input: RunInput,
  ): StepResult {
    const reason = abortReason(input.signal);
    if (reason && reason !== 'cancel')
      return { status: 'Cancelled', log: tail.toString(), interrupted: true };
    if (outcome.killedFor === 'watchdog')
      return { status: 'Cancelled', log: tail.toString(), interrupted: true };
    if (reason === 'cancel')
      return { status: 'Cancelled', log: appendLine(tail, 'Cancelled by request.') };
    if (outcome.killedFor === 'timeout') {
      return {
        status: 'Failed',
        log: appendLine(
          tail,
          'Timed out: the script ran longer than ComponentTimeoutSeconds and was killed.',
        ),
      };
    }
    if (outcome.error) return { status: 'Failed', log: appendLine(tail, outcome.error) };
    if (outcome.exitCode === 0) return { status: 'Complete', log: tail.toString() };
    const how =
      outcome.exitCode === null
        ? `signal ${outcome.signal ?? 'unknown'}`
        : `exit code ${outcome.exitCode}`;
    return { status: 'Failed', log: appendLine(tail, `Script failed with ${how}.`) };
  }
}

function appendLine(tail: OutputTail, line: string): string {
  const text = tail.toString();
  return text.length > 0 ? `${text}\n${line}` : line;
}
