/**
 * An in-process monitor over a real database for engine tests: a temp ScriptRoot, a catalogue
 * written straight into the tables, requests with upstream-style RequestDetails XML, and helpers
 * to wait for statuses and read the intervals scripts recorded.
 */
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import type { Settings } from '../../src/config/settings';
import { loadSettings } from '../../src/config/settings.loader';
import { ComponentEntity } from '../../src/persistence/entities/component.entity';
import {
  DeploymentRequestEntity,
  FINAL_REQUEST_STATUSES,
} from '../../src/persistence/entities/deployment-request.entity';
import { DeploymentResultEntity } from '../../src/persistence/entities/deployment-result.entity';
import { EnvironmentEntity } from '../../src/persistence/entities/environment.entity';
import { ProjectComponentEntity } from '../../src/persistence/entities/project-component.entity';
import { ProjectEntity } from '../../src/persistence/entities/project.entity';
import { ScriptEntity } from '../../src/persistence/entities/script.entity';
import { buildRequestDetailsXml } from '../../src/requests/request-details';
import { MonitorRuntime } from '../../src/runtime/monitor-runtime';
import { TestDatabase, withPostgres, withSqlite } from './databases';

export type DbKind = 'sqlite' | 'postgres';

export interface ComponentSpec {
  name: string;
  parent?: string;
  script?: string;
  enabled?: boolean;
  stopOnFailure?: boolean;
  nonProdOnly?: boolean;
}

export interface Interval {
  environment: string;
  requestId: number;
  start: number;
  end: number;
}

export class EngineHarness {
  runtime?: MonitorRuntime;
  private constructor(
    readonly db: TestDatabase,
    readonly scriptRoot: string,
    readonly recordFile: string,
  ) {}

  static async create(kind: DbKind): Promise<EngineHarness> {
    const db = kind === 'sqlite' ? await withSqlite() : await withPostgres();
    const root = await mkdtemp(join(tmpdir(), 'dorc-scripts-'));
    return new EngineHarness(db, root, join(root, 'record.log'));
  }

  get dataSource(): DataSource {
    return this.db.dataSource;
  }

  settings(env: Record<string, string> = {}): Settings {
    return loadSettings({
      cwd: this.scriptRoot,
      hostname: 'engine-test',
      env: {
        AppSettings__ScriptRoot: this.scriptRoot,
        AppSettings__RequestProcessingIterationDelayMs: '100',
        AppSettings__Database__Type: this.db.settings.type,
        AppSettings__Database__ConnectionString: this.db.settings.connectionString,
        ...env,
      },
    });
  }

  async script(name: string, body: string): Promise<void> {
    const file = join(this.scriptRoot, name);
    await writeFile(file, `#!/usr/bin/env bash\n${body}\n`);
    await chmod(file, 0o755);
  }

  /** A script that records its interval: `start`/`end` lines with the environment and request. */
  async recordingScript(name: string, sleepSeconds: number): Promise<void> {
    await this.script(
      name,
      [
        `echo "start $EnvironmentName $DeploymentRequestId $(date +%s%3N)" >> "${this.recordFile}"`,
        `sleep ${sleepSeconds}`,
        `echo "end $EnvironmentName $DeploymentRequestId $(date +%s%3N)" >> "${this.recordFile}"`,
      ].join('\n'),
    );
  }

  async catalog(
    project: string,
    environments: Array<{ name: string; isProd?: boolean }>,
    components: ComponentSpec[],
  ) {
    const ds = this.dataSource;
    const p = await ds.getRepository(ProjectEntity).save({ name: project, description: null });
    for (const env of environments) {
      await ds
        .getRepository(EnvironmentEntity)
        .save({ name: env.name, isProd: env.isProd ?? false, ownerEmail: null });
    }
    const ids = new Map<string, number>();
    for (const c of components) {
      const script = c.script
        ? await ds
            .getRepository(ScriptEntity)
            .save({ name: `${c.name}-script`, path: c.script, nonProdOnly: c.nonProdOnly ?? false })
        : null;
      const saved = await ds.getRepository(ComponentEntity).save({
        name: c.name,
        parentId: c.parent ? (ids.get(c.parent) ?? null) : null,
        isEnabled: c.enabled ?? true,
        stopOnFailure: c.stopOnFailure ?? false,
        scriptId: script?.id ?? null,
        componentType: null,
      });
      ids.set(c.name, saved.id);
      await ds
        .getRepository(ProjectComponentEntity)
        .save({ projectId: p.id, componentId: saved.id });
    }
  }

  async submit(
    environment: string,
    components: string[],
    options: {
      project?: string;
      properties?: Record<string, string>;
      isProd?: boolean;
      status?: string;
      xml?: string;
      skip?: string[];
    } = {},
  ): Promise<number> {
    const project = options.project ?? 'App';
    const properties = { RecordFile: this.recordFile, ...options.properties };
    const xml =
      options.xml ??
      buildRequestDetailsXml({
        environmentName: environment,
        components,
        componentsToSkip: options.skip ?? [],
        buildDetail: { buildId: '1', project, buildNumber: '1.0.0', dropLocation: '', uri: '' },
        properties: Object.entries(properties).map(([name, value]) => ({ name, value })),
      });
    const row = await this.dataSource.getRepository(DeploymentRequestEntity).save({
      requestDetails: xml,
      userName: 'test',
      requestedTime: new Date(),
      status: (options.status ?? 'Pending') as DeploymentRequestEntity['status'],
      isProd: options.isProd ?? false,
      project,
      environment,
      buildNumber: '1.0.0',
      components: components.join(','),
      attempt: 0,
    });
    return row.id;
  }

  async start(env: Record<string, string> = {}): Promise<MonitorRuntime> {
    this.runtime = new MonitorRuntime(this.settings(env), this.dataSource);
    await this.runtime.start();
    return this.runtime;
  }

  async request(id: number): Promise<DeploymentRequestEntity> {
    return this.dataSource.getRepository(DeploymentRequestEntity).findOneByOrFail({ id });
  }

  async results(id: number): Promise<Array<DeploymentResultEntity & { component: string }>> {
    const rows = await this.dataSource
      .getRepository(DeploymentResultEntity)
      .find({ where: { deploymentRequestId: id }, order: { id: 'ASC' } });
    const comps = await this.dataSource.getRepository(ComponentEntity).find();
    return rows.map((r) => ({
      ...r,
      component: comps.find((c) => c.id === r.componentId)?.name ?? '?',
    }));
  }

  async setStatus(id: number, status: string): Promise<void> {
    await this.dataSource
      .getRepository(DeploymentRequestEntity)
      .update({ id }, { status: status as DeploymentRequestEntity['status'] });
  }

  async waitFor(
    id: number,
    predicate: (r: DeploymentRequestEntity) => boolean,
    timeoutMs = 30_000,
  ) {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const row = await this.request(id);
      if (predicate(row)) return row;
      if (Date.now() > until)
        throw new Error(`request ${id} stuck in ${row.status}: ${row.log ?? ''}`);
      await sleep(100);
    }
  }

  waitFinal(id: number, timeoutMs = 30_000) {
    return this.waitFor(id, (r) => FINAL_REQUEST_STATUSES.includes(r.status), timeoutMs);
  }

  async intervals(): Promise<Interval[]> {
    const text = await readFile(this.recordFile, 'utf8').catch(() => '');
    const starts = new Map<string, number>();
    const out: Interval[] = [];
    for (const line of text.split('\n').filter(Boolean)) {
      const [kind, environment, id, at] = line.split(' ');
      const key = `${environment}/${id}`;
      if (kind === 'start') starts.set(key, Number(at));
      else
        out.push({
          environment,
          requestId: Number(id),
          start: starts.get(key) ?? NaN,
          end: Number(at),
        });
    }
    return out;
  }

  async cleanup(): Promise<void> {
    await this.runtime?.stop();
    await this.db.cleanup();
    await rm(this.scriptRoot, { recursive: true, force: true });
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** True when two runs of one environment overlap in time. */
export function overlapsWithin(intervals: Interval[]): Array<[Interval, Interval]> {
  const bad: Array<[Interval, Interval]> = [];
  for (const a of intervals) {
    for (const b of intervals) {
      if (a === b || a.environment !== b.environment || a.requestId >= b.requestId) continue;
      if (a.start < b.end && b.start < a.end) bad.push([a, b]);
    }
  }
  return bad;
}
