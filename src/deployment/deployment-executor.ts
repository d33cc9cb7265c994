import type { DataSource } from 'typeorm';
import type { Settings } from '../config/settings';
import { AppLogger } from '../logging/app-logger';
import type { RequestStatus } from '../persistence/entities/deployment-request.entity';
import { parseRequestDetails, RequestDetails } from '../requests/request-details';
import { RequestStore } from '../scheduler/request.store';
import { ResultRow, ResultStore } from '../scheduler/result.store';
import { CatalogComponent, CatalogReader } from './catalog.reader';
import { ComponentStep, StepOptions } from './component-step';
import { planComponents } from './component-plan';
import { fixedProperties, resolveProperties } from './properties';
import { abortReason, RunInput, RunOutcome } from './run-types';
import { ScriptRunner } from './script-runner';
import { text } from '../persistence/row-values';

/** The statuses a run's final write may replace, by the status it writes. */
const FINISHABLE_FROM: Partial<Record<RequestStatus, RequestStatus[]>> = {
  Cancelled: ['Requesting', 'Running', 'Cancelling'],
  Restarting: ['Restarting'],
};

type RunDetails = RequestDetails & { project: string; userName: string };

interface Step {
  component: CatalogComponent;
  disabled: boolean;
  result: ResultRow;
}

/** Executes one claimed request: components in order, one result row each, fenced writes. */
export class DeploymentExecutor {
  private readonly logger = new AppLogger('Deployment');
  private readonly requests: RequestStore;
  private readonly results: ResultStore;
  private readonly catalog: CatalogReader;
  private readonly step: ComponentStep;

  constructor(
    dataSource: DataSource,
    private readonly settings: Settings,
    private readonly baseEnv: Record<string, string>,
    runner = new ScriptRunner(),
  ) {
    this.requests = new RequestStore(dataSource);
    this.results = new ResultStore(dataSource);
    this.catalog = new CatalogReader(dataSource);
    this.step = new ComponentStep(runner);
  }

  async execute(input: RunInput): Promise<RunOutcome> {
    const started = await this.requests.update(
      input.requestId,
      input.fence,
      { Status: 'Running', StartedTime: new Date() },
      { expectStatus: ['Requesting'] },
    );
    if (!started) return this.finish(input, 'Cancelled', 'The request changed before it started.');
    try {
      const { details, steps } = await this.prepare(input);
      return await this.runSteps(input, details, steps);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.logger.warn('Deployment request errored', { ...ids(input), reason });
      return this.finish(input, 'Errored', reason);
    }
  }

  private async prepare(input: RunInput) {
    const row = await this.requests.readRequest(input.requestId);
    const details = parseRequestDetails(text(row?.RequestDetails));
    const project = details.buildDetail?.project || text(row?.Project);
    const userName = typeof row?.UserName === 'string' ? row.UserName : '';
    const catalog = await this.catalog.projectComponents(project);
    const plan = planComponents(catalog, details.components, details.componentsToSkip);
    if (plan.unknown.length > 0) {
      throw new Error(`unknown component(s) for project '${project}': ${plan.unknown.join(', ')}`);
    }
    const steps = await this.ensureResults(input, plan.steps);
    return { details: { ...details, project, userName }, steps };
  }

  /** One result row per step; a resumed request keeps its earlier rows and reuses them. */
  private async ensureResults(
    input: RunInput,
    planned: Array<{ component: CatalogComponent; disabled: boolean }>,
  ) {
    const existing = await this.results.list(input.requestId);
    for (const p of planned) {
      if (existing.some((r) => r.componentId === p.component.id)) continue;
      const ok = await this.results.insert(
        input.requestId,
        p.component.id,
        p.disabled ? 'Disabled' : 'Pending',
        input.fence,
      );
      if (!ok) throw new FencedDuringRun();
    }
    const rows = await this.results.list(input.requestId);
    return planned.map((p) => ({
      ...p,
      result: rows.find((r) => r.componentId === p.component.id)!,
    }));
  }

  private async runSteps(input: RunInput, details: RunDetails, steps: Step[]) {
    let failed = false;
    for (const s of steps) {
      if (s.disabled) continue;
      if (input.signal.aborted) break;
      const status = await this.runOne(input, details, s);
      if (status === 'interrupted') return this.interrupted(input);
      if (status === 'Cancelled') break;
      if (status !== 'Failed') continue;
      failed = true;
      if (s.component.stopOnFailure) break;
    }
    return this.conclude(input, failed);
  }

  private async runOne(input: RunInput, details: RunDetails, s: Step) {
    const fields = { ...ids(input), component: s.component.name };
    const marked = await this.results.update(input.requestId, s.result.id, input.fence, {
      Status: 'Running',
      StartedTime: new Date(),
      CompletedTime: null,
    });
    if (!marked) return 'interrupted' as const;
    this.logger.log('Component started', fields);
    const outcome = await this.step.run(s.component, input, this.stepOptions(input, details, s));
    if (outcome.interrupted) return 'interrupted' as const;
    const log = s.result.log ? `${s.result.log}\n--- attempt ---\n${outcome.log}` : outcome.log;
    const saved = await this.results.update(input.requestId, s.result.id, input.fence, {
      Status: outcome.status,
      CompletedTime: new Date(),
      Log: log,
    });
    if (!saved) return 'interrupted' as const;
    this.logger.log('Component finished', { ...fields, status: outcome.status });
    return outcome.status;
  }

  private stepOptions(input: RunInput, details: RunDetails, s: Step): StepOptions {
    const fixed = fixedProperties({
      requestId: input.requestId,
      environmentName: input.environment,
      componentName: s.component.name,
      buildNumber: details.buildDetail?.buildNumber ?? '',
      dropFolder: details.buildDetail?.dropLocation ?? '',
      scriptRoot: this.settings.scriptRoot,
      isProd: input.isProd,
      project: details.project,
      userName: details.userName,
      buildUri: details.buildDetail?.uri ?? '',
      buildId: details.buildDetail?.buildId ?? '',
    });
    const { values: properties, warnings } = resolveProperties(fixed, details.properties);
    for (const warning of warnings)
      this.logger.warn('Property problem', { ...ids(input), warning });
    return {
      scriptRoot: this.settings.scriptRoot,
      baseEnv: this.baseEnv,
      properties,
      timeoutMs: this.settings.componentTimeoutSeconds * 1000,
      logMaxBytes: this.settings.componentLogMaxBytes,
    };
  }

  private async conclude(input: RunInput, failed: boolean): Promise<RunOutcome> {
    const reason = abortReason(input.signal);
    if (reason === 'cancel') return this.finish(input, 'Cancelled', 'Cancelled by request.');
    if (reason === 'restart') return this.finish(input, 'Restarting', 'Restart requested.');
    if (reason) return this.interrupted(input);
    return this.finish(input, failed ? 'Failed' : 'Completed', '');
  }

  /** Final write. When the status moved on meanwhile (cancel, restart) that request wins. */
  private async finish(
    input: RunInput,
    status: RequestStatus,
    note: string,
    retry = true,
  ): Promise<RunOutcome> {
    await this.results.cancelPending(input.requestId, input.fence);
    const log = await this.appendLog(input.requestId, note);
    const done =
      status === 'Restarting' ? {} : { Status: status, CompletedTime: new Date(), Log: log };
    const options = {
      expectStatus: FINISHABLE_FROM[status] ?? ['Requesting', 'Running'],
      clearLease: true,
    };
    if (await this.requests.update(input.requestId, input.fence, done, options))
      return status as RunOutcome;
    return retry ? this.finishAfterChange(input) : 'Fenced';
  }

  private async finishAfterChange(input: RunInput): Promise<RunOutcome> {
    const row = await this.requests.readRequest(input.requestId);
    const current = text(row?.Status);
    if (current === 'Cancelling')
      return this.finish(input, 'Cancelled', 'Cancelled by request.', false);
    if (current === 'Restarting') return this.finish(input, 'Restarting', '', false);
    return 'Fenced';
  }

  private async interrupted(input: RunInput): Promise<RunOutcome> {
    const reason = abortReason(input.signal);
    return reason === 'fenced' || reason === 'lease-lost' || !reason ? 'Fenced' : 'Interrupted';
  }

  private async appendLog(id: number, note: string): Promise<string> {
    const previous = await this.requests.readLog(id);
    if (!note) return previous;
    return previous ? `${previous}\n${note}` : note;
  }
}

class FencedDuringRun extends Error {
  constructor() {
    super('fenced while preparing the run');
  }
}

function ids(input: RunInput) {
  return { environment: input.environment, requestId: input.requestId };
}
