import { DataSource, EntityManager, In } from 'typeorm';
import { ComponentEntity } from '../persistence/entities/component.entity';
import {
  DeploymentRequestEntity,
  FINAL_REQUEST_STATUSES,
  RequestStatus,
} from '../persistence/entities/deployment-request.entity';
import { DeploymentResultEntity } from '../persistence/entities/deployment-result.entity';
import { EnvironmentEntity } from '../persistence/entities/environment.entity';
import { ProjectComponentEntity } from '../persistence/entities/project-component.entity';
import { ProjectEntity } from '../persistence/entities/project.entity';
import { buildRequestDetailsXml } from './request-details';
import { RequestNotFoundError } from './request-not-found.error';
import { SubmitError } from './submit.error';

export interface SubmitRequest {
  project: string;
  environment: string;
  components: string[];
  buildNumber?: string;
  properties?: Record<string, string>;
  userName?: string;
  componentsToSkip?: string[];
}

export interface RequestResultView extends DeploymentResultEntity {
  componentName: string | null;
}

export interface RequestStatusView {
  request: DeploymentRequestEntity;
  /** In execution order (result Id). */
  results: RequestResultView[];
}

/** Outcome of a cancel or restart: `ok` when the status was changed. */
export interface TransitionOutcome {
  ok: boolean;
  outcome: 'changed' | 'not-found' | 'not-allowed';
  /** The status before (changed, not-allowed). */
  status?: RequestStatus;
  message: string;
}

const CANCELLABLE: readonly RequestStatus[] = [
  'Pending',
  'Confirmed',
  'Requesting',
  'Running',
  'Paused',
];
const RESTARTABLE: readonly RequestStatus[] = [...FINAL_REQUEST_STATUSES, 'Paused'];
/** A concurrent change between our read and our write makes us read again, a few times. */
const MAX_TRANSITION_ATTEMPTS = 5;

/**
 * What the API side of DOrc does to requests: create them, show them, and ask for cancel or
 * restart by setting a status the monitor acts on. Status changes are compare-and-set on the
 * status just read, so a monitor's concurrent write is never overwritten.
 */
export class RequestService {
  constructor(private readonly dataSource: DataSource) {}

  /** Validates against the catalogue and creates a Pending request; returns its Id. */
  async submit(input: SubmitRequest): Promise<number> {
    const m = this.dataSource.manager;
    const project = await m.findOneBy(ProjectEntity, { name: input.project });
    const environment = await m.findOneBy(EnvironmentEntity, { name: input.environment });
    const problems = [
      ...(project ? [] : [`unknown project '${input.project}'`]),
      ...(environment ? [] : [`unknown environment '${input.environment}'`]),
      ...(await this.componentProblems(m, input, project)),
    ];
    if (problems.length > 0 || !project || !environment) throw new SubmitError(problems);

    const result = await m.insert(DeploymentRequestEntity, newRequest(input, project, environment));
    return Number(result.identifiers[0].id);
  }

  /** The request and its per-component results; throws `RequestNotFoundError`. */
  async getStatus(id: number): Promise<RequestStatusView> {
    const request = await this.dataSource.manager.findOneBy(DeploymentRequestEntity, { id });
    if (!request) throw new RequestNotFoundError(id);
    const results = await this.dataSource.manager.find(DeploymentResultEntity, {
      where: { deploymentRequestId: id },
      order: { id: 'ASC' },
    });
    const ids = [...new Set(results.map((r) => r.componentId))];
    const components = ids.length
      ? await this.dataSource.manager.findBy(ComponentEntity, { id: In(ids) })
      : [];
    const names = new Map(components.map((c) => [c.id, c.name]));
    return {
      request,
      results: results.map((r) => ({ ...r, componentName: names.get(r.componentId) ?? null })),
    };
  }

  /** Asks the owning monitor to stop the request (status Cancelling). */
  async requestCancel(id: number, cancelledBy: string): Promise<TransitionOutcome> {
    return this.transition(id, 'Cancelling', CANCELLABLE, {
      cancelledBy,
      cancelledTime: new Date(),
    });
  }

  /** Asks a monitor to run a finished (or paused) request again (status Restarting). */
  async requestRestart(id: number): Promise<TransitionOutcome> {
    return this.transition(id, 'Restarting', RESTARTABLE, {});
  }

  private async componentProblems(
    m: EntityManager,
    input: SubmitRequest,
    project: ProjectEntity | null,
  ): Promise<string[]> {
    if (input.components.length === 0) return ['no components given'];
    const known = await m.findBy(ComponentEntity, {
      name: In([...input.components, ...(input.componentsToSkip ?? [])]),
    });
    const byName = new Map(known.map((c) => [c.name, c.id]));
    const inProject = project ? await this.projectComponentIds(m, project.id) : new Set<number>();

    const problems = input.components.flatMap((name) => {
      const id = byName.get(name);
      if (id === undefined) return [`unknown component '${name}'`];
      if (!project || inProject.has(id)) return [];
      return [`component '${name}' is not in project '${project.name}'`];
    });
    const unknownSkips = (input.componentsToSkip ?? []).filter((n) => !byName.has(n));
    return [...problems, ...unknownSkips.map((n) => `unknown component to skip '${n}'`)];
  }

  private async projectComponentIds(m: EntityManager, projectId: number): Promise<Set<number>> {
    const links = await m.findBy(ProjectComponentEntity, { projectId });
    return new Set(links.map((l) => l.componentId));
  }

  /** Compare-and-set from the status just read; retried when someone else changed it first. */
  private async transition(
    id: number,
    to: RequestStatus,
    allowedFrom: readonly RequestStatus[],
    extra: Partial<DeploymentRequestEntity>,
  ): Promise<TransitionOutcome> {
    for (let attempt = 0; attempt < MAX_TRANSITION_ATTEMPTS; attempt++) {
      const row = await this.dataSource.manager.findOne(DeploymentRequestEntity, {
        where: { id },
        select: { id: true, status: true },
      });
      if (!row) return { ok: false, outcome: 'not-found', message: `Request ${id} does not exist` };
      if (!allowedFrom.includes(row.status)) return notAllowed(id, row.status, to);

      const result = await this.dataSource.manager.update(
        DeploymentRequestEntity,
        { id, status: row.status },
        { status: to, ...extra },
      );
      if (result.affected === 1) {
        const message = `Request ${id}: ${row.status} -> ${to}`;
        return { ok: true, outcome: 'changed', status: row.status, message };
      }
    }
    throw new Error(`Request ${id} kept changing status; ${to} was not set`);
  }
}

function notAllowed(id: number, status: RequestStatus, to: RequestStatus): TransitionOutcome {
  const verb = to === 'Cancelling' ? 'cancelled' : 'restarted';
  const message = `Request ${id} is ${status} and cannot be ${verb}`;
  return { ok: false, outcome: 'not-allowed', status, message };
}

function newRequest(input: SubmitRequest, project: ProjectEntity, environment: EnvironmentEntity) {
  const properties = Object.entries(input.properties ?? {}).map(([name, value]) => ({
    name,
    value,
  }));
  const requestDetails = buildRequestDetailsXml({
    environmentName: environment.name,
    components: input.components,
    componentsToSkip: input.componentsToSkip ?? [],
    buildDetail: { project: project.name, buildNumber: input.buildNumber },
    properties,
  });
  return {
    requestDetails,
    userName: input.userName ?? null,
    requestedTime: new Date(),
    status: 'Pending' as const,
    isProd: environment.isProd,
    project: project.name,
    environment: environment.name,
    buildNumber: input.buildNumber ?? null,
    components: input.components.join(','),
    environmentOwnerEmail: environment.ownerEmail,
    attempt: 0,
  };
}
