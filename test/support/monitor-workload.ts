/**
 * The database side of a multi-replica test: catalogue, requests, their statuses, and the runs
 * recording scripts wrote, each with the replica that owned the request. Used as
 * `MonitorCluster.work`; see test/support/monitor-cluster.ts for the whole API.
 */
import { In, type DataSource } from 'typeorm';
import { CatalogService } from '../../src/catalog/catalog.service';
import { CatalogDocument, catalogSchema } from '../../src/catalog/catalog.schema';
import {
  DeploymentRequestEntity,
  FINAL_REQUEST_STATUSES,
} from '../../src/persistence/entities/deployment-request.entity';
import { RequestService, SubmitRequest } from '../../src/requests/request.service';
import { readScriptRuns, ScriptRun, writeRecordingScript } from './monitor-records';

/** A script run with the replica that owned its request (the request's final `OwnerId`). */
export interface OwnedRun extends ScriptRun {
  replica: string | null;
}

export interface RecordingSetup {
  /** Project name, default `App`. */
  project: string;
  /** The environment names created (unique on the shared broker). */
  environments: string[];
  /** The one component, `record`, running the recording script. */
  component: string;
}

export const RECORD_COMPONENT = 'record';

export class MonitorWorkload {
  private readonly requestService: RequestService;

  constructor(
    readonly dataSource: DataSource,
    readonly scriptRoot: string,
    readonly recordFile: string,
    /** Random suffix that keeps environment names (and so lock queues) unique to this cluster. */
    readonly suffix: string,
  ) {
    this.requestService = new RequestService(dataSource);
  }

  /** Writes a catalogue document (validated like `catalog apply`) into the shared database. */
  async applyCatalog(doc: unknown): Promise<void> {
    const parsed: CatalogDocument = catalogSchema.parse(doc);
    await new CatalogService(this.dataSource).apply(parsed);
  }

  /** A recording script `<name>` under the shared ScriptRoot (see monitor-records.ts). */
  recordingScript(name: string, sleepSeconds: number): Promise<void> {
    return writeRecordingScript(this.scriptRoot, name, this.recordFile, sleepSeconds);
  }

  /**
   * `count` non-production environments named `<prefix>-<suffix>-<n>` and project `App` with one
   * component `record` whose script sleeps `sleepSeconds` between its start and end lines.
   */
  async recordingSetup(
    count: number,
    sleepSeconds: number,
    prefix = 'env',
  ): Promise<RecordingSetup> {
    const environments = Array.from(
      { length: count },
      (_, i) => `${prefix}-${this.suffix}-${i + 1}`,
    );
    await this.recordingScript('record.sh', sleepSeconds);
    await this.applyCatalog({
      projects: [{ name: 'App', components: [RECORD_COMPONENT] }],
      environments: environments.map((name) => ({ name, isProd: false })),
      scripts: [{ name: 'record-script', path: 'record.sh' }],
      components: [{ name: RECORD_COMPONENT, script: 'record-script' }],
    });
    return { project: 'App', environments, component: RECORD_COMPONENT };
  }

  /** Creates a Pending request through RequestService (as `dorc-monitor submit` does). */
  submit(input: SubmitRequest): Promise<number> {
    return this.requestService.submit(input);
  }

  /** `perEnvironment` requests for the `record` component in each environment, round-robin. */
  async submitRound(setup: RecordingSetup, perEnvironment: number): Promise<number[]> {
    const ids: number[] = [];
    for (let i = 0; i < perEnvironment; i++) {
      for (const environment of setup.environments) {
        ids.push(
          await this.submit({ project: setup.project, environment, components: [setup.component] }),
        );
      }
    }
    return ids;
  }

  async request(id: number): Promise<DeploymentRequestEntity> {
    return this.dataSource.getRepository(DeploymentRequestEntity).findOneByOrFail({ id });
  }

  async requests(ids: number[]): Promise<DeploymentRequestEntity[]> {
    if (ids.length === 0) return [];
    return this.dataSource
      .getRepository(DeploymentRequestEntity)
      .find({ where: { id: In(ids) }, order: { id: 'ASC' } });
  }

  /** Every request that is not in a final status (any environment, any tier). */
  async openRequests(): Promise<DeploymentRequestEntity[]> {
    const all = await this.dataSource
      .getRepository(DeploymentRequestEntity)
      .find({ order: { id: 'ASC' } });
    return all.filter((r) => !FINAL_REQUEST_STATUSES.includes(r.status));
  }

  /** The recorded runs, each with its request's `OwnerId` as the replica that ran it. */
  async runs(): Promise<OwnedRun[]> {
    const runs = await readScriptRuns(this.recordFile);
    const rows = await this.requests([...new Set(runs.map((r) => r.requestId))]);
    const owner = new Map(rows.map((r) => [r.id, r.ownerId]));
    return runs.map((r) => ({ ...r, replica: owner.get(r.requestId) ?? null }));
  }
}
