import { existsSync, symlinkSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DeploymentRequestEntity } from '../../src/persistence/entities/deployment-request.entity';
import { buildRequestDetailsXml } from '../../src/requests/request-details';
import { MonitorCluster, MonitorClusterOptions } from '../../test/support/monitor-cluster';
import { readStepRuns, StepRun } from './run-records';
import { STEP_SCRIPT, writeLeanStepScript, writeStepScript } from './step-script';

export const PROJECT = 'Bench';
export const COMPONENT = 'step';

export interface StepProperties {
  sleepSeconds: number;
  exitCode?: number;
  /** Sleep this long on the first run only (a long in-flight run that a rerun finishes fast). */
  firstRunSeconds?: number;
}

export interface BenchClusterOptions extends MonitorClusterOptions {
  /** Monitor log level; default info (debug costs CPU the bench would measure). */
  logLevel?: string;
  /** Scripts that only sleep, recording nothing (throughput). */
  lean?: boolean;
}

/**
 * Monitor replicas from `MonitorCluster` (test/support), each with its own ScriptRoot holding
 * the recording step script with its id baked in, and one shared record file.
 */
export class BenchCluster {
  private constructor(
    readonly cluster: MonitorCluster,
    readonly dir: string,
  ) {}

  static async start(options: BenchClusterOptions): Promise<BenchCluster> {
    linkBuiltMonitor();
    const dir = await mkdtemp(join(tmpdir(), 'dorc-bench-'));
    const record = join(dir, 'record.log');
    const count = options.replicas ?? 3;
    for (let n = 1; n <= count; n++) {
      const root = join(dir, `replica-${n}`);
      if (options.lean) await writeLeanStepScript(root);
      else await writeStepScript(root, `replica-${n}`, record, join(dir, 'markers'));
    }
    const cluster = await MonitorCluster.start({
      ...options,
      env: { LOG_LEVEL: options.logLevel ?? 'info', ...options.env },
      appSettings: (id) => ({ ScriptRoot: join(dir, id), ...options.appSettings?.(id) }),
    }).catch(async (error: unknown) => {
      await rm(dir, { recursive: true, force: true });
      throw error;
    });
    return new BenchCluster(cluster, dir);
  }

  get recordFile(): string {
    return join(this.dir, 'record.log');
  }

  /** Creates the project, its one component and `environments` in the shared catalogue. */
  async catalog(environments: string[]): Promise<void> {
    await this.cluster.work.applyCatalog({
      projects: [{ name: PROJECT, components: [COMPONENT] }],
      environments: environments.map((name) => ({ name, isProd: false })),
      scripts: [{ name: 'step-script', path: STEP_SCRIPT }],
      components: [{ name: COMPONENT, script: 'step-script' }],
    });
  }

  /** One Pending request, through RequestService as `dorc-monitor submit` does. */
  submit(environment: string, step: StepProperties): Promise<number> {
    const properties = stepProperties(step);
    return this.cluster.work.submit({
      project: PROJECT,
      environment,
      components: [COMPONENT],
      properties,
    });
  }

  /** Many Pending requests in one INSERT, so they all become visible at the same instant. */
  async submitMany(
    requests: Array<{ environment: string; step: StepProperties }>,
  ): Promise<number[]> {
    const rows = requests.map(({ environment, step }) => pendingRow(environment, step));
    const result = await this.cluster.dataSource
      .getRepository(DeploymentRequestEntity)
      .insert(rows);
    return result.identifiers.map((i) => Number(i.id));
  }

  runs(): Promise<StepRun[]> {
    return readStepRuns(this.recordFile);
  }

  async stop(): Promise<void> {
    await this.cluster.stopAll();
    if (!process.env.KEEP_CLUSTER_FILES) await rm(this.dir, { recursive: true, force: true });
  }
}

function stepProperties(step: StepProperties): Record<string, string> {
  const properties: Record<string, string> = {
    SleepSeconds: String(step.sleepSeconds),
    ExitCode: String(step.exitCode ?? 0),
  };
  if (step.firstRunSeconds !== undefined) properties.FirstRunSeconds = String(step.firstRunSeconds);
  return properties;
}

function pendingRow(environment: string, step: StepProperties): Partial<DeploymentRequestEntity> {
  const properties = Object.entries(stepProperties(step)).map(([name, value]) => ({ name, value }));
  const buildDetail = {
    buildId: '1',
    project: PROJECT,
    buildNumber: '1.0.0',
    dropLocation: '',
    uri: '',
  };
  return {
    requestDetails: buildRequestDetailsXml({
      environmentName: environment,
      components: [COMPONENT],
      componentsToSkip: [],
      buildDetail,
      properties,
    }),
    userName: 'bench',
    requestedTime: new Date(),
    status: 'Pending',
    isProd: false,
    project: PROJECT,
    environment,
    buildNumber: '1.0.0',
    components: COMPONENT,
    attempt: 0,
  };
}

/**
 * MonitorCluster runs `<its root>/dist/main.js`, its root being two folders above its own
 * file. Compiled into dist-bench that root is dist-bench, so point dist-bench/dist at the
 * monitor `npm run build` made.
 */
function linkBuiltMonitor(): void {
  const compiledRoot = resolve(__dirname, '..', '..');
  const repoDist = resolve(compiledRoot, '..', 'dist');
  const link = join(compiledRoot, 'dist');
  if (!existsSync(join(repoDist, 'main.js')))
    throw new Error(`${repoDist}/main.js is missing: run npm run build`);
  if (!existsSync(link)) symlinkSync(repoDist, link, 'dir');
}
