import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, EntityTarget, In, QueryDeepPartialEntity } from 'typeorm';
import { ComponentEntity } from '../persistence/entities/component.entity';
import { EnvironmentEntity } from '../persistence/entities/environment.entity';
import { ProjectComponentEntity } from '../persistence/entities/project-component.entity';
import { ProjectEntity } from '../persistence/entities/project.entity';
import { ScriptEntity } from '../persistence/entities/script.entity';
import { SqlDialect } from '../persistence/sql-dialect';
import { CatalogFileError } from './catalog-file.error';
import { formatPath } from './catalog-file.loader';
import { checkReferences, parentsFirst } from './catalog-references';
import { CatalogDocument, CatalogProject } from './catalog.schema';

/** What an apply did, counted per item of the file (a project's links count with it). */
export interface CatalogApplyResult {
  created: number;
  updated: number;
  unchanged: number;
}

type Outcome = keyof CatalogApplyResult;
type Named = { id: number; name: string };

/**
 * Writes a catalogue into the database: every item is matched by name and created or brought in
 * line with the file, all in one transaction. Rows the file does not mention are left alone,
 * and a project's component links become exactly the file's list.
 */
@Injectable()
export class CatalogService {
  /** `dataSource` is optional: it may instead be passed to each `apply`. */
  constructor(private readonly dataSource?: DataSource) {}

  apply(doc: CatalogDocument): Promise<CatalogApplyResult>;
  apply(dataSource: DataSource, doc: CatalogDocument): Promise<CatalogApplyResult>;
  async apply(first: DataSource | CatalogDocument, second?: CatalogDocument) {
    const dataSource = first instanceof DataSource ? first : this.dataSource;
    const doc = first instanceof DataSource ? second : first;
    if (!dataSource || !doc)
      throw new TypeError('CatalogService.apply needs a DataSource and a catalogue');
    return this.applyTo(dataSource, doc);
  }

  private async applyTo(dataSource: DataSource, doc: CatalogDocument): Promise<CatalogApplyResult> {
    const issues = checkReferences(doc);
    if (issues.length > 0) {
      const problems = issues.map((i) => ({ path: formatPath(i.path), message: i.message }));
      throw new CatalogFileError('catalogue', problems);
    }

    return dataSource.transaction(async (manager) => {
      await takeWriteLock(manager);
      const tally: CatalogApplyResult = { created: 0, updated: 0, unchanged: 0 };
      const count = (outcome: Outcome) => tally[outcome]++;

      const scriptIds = await this.applyScripts(manager, doc, count);
      const componentIds = await this.applyComponents(manager, doc, scriptIds, count);
      await this.applyEnvironments(manager, doc, count);
      await this.applyProjects(manager, doc, componentIds, count);
      return tally;
    });
  }

  private async applyScripts(m: EntityManager, doc: CatalogDocument, count: Counter) {
    const existing = byName(await m.find(ScriptEntity));
    const ids = new Map<string, number>();
    for (const s of doc.scripts) {
      const desired = { path: s.path, nonProdOnly: s.nonProdOnly };
      const { id, outcome } = await upsert(m, ScriptEntity, existing.get(s.name), s.name, desired);
      ids.set(s.name, id);
      count(outcome);
    }
    return ids;
  }

  /** Parents first, so that a child's ParentId always points at a row that exists. */
  private async applyComponents(
    m: EntityManager,
    doc: CatalogDocument,
    scriptIds: Map<string, number>,
    count: Counter,
  ) {
    const existing = byName(await m.find(ComponentEntity));
    const ids = new Map<string, number>();
    for (const c of parentsFirst(doc.components)) {
      const desired = {
        parentId: c.parent === undefined ? null : ids.get(c.parent)!,
        isEnabled: c.enabled,
        stopOnFailure: c.stopOnFailure,
        scriptId: c.script === undefined ? null : scriptIds.get(c.script)!,
        componentType: c.type ?? null,
      };
      const { id, outcome } = await upsert(
        m,
        ComponentEntity,
        existing.get(c.name),
        c.name,
        desired,
      );
      ids.set(c.name, id);
      count(outcome);
    }
    return ids;
  }

  private async applyEnvironments(m: EntityManager, doc: CatalogDocument, count: Counter) {
    const existing = byName(await m.find(EnvironmentEntity));
    for (const e of doc.environments) {
      const desired = { isProd: e.isProd, ownerEmail: e.ownerEmail ?? null };
      count((await upsert(m, EnvironmentEntity, existing.get(e.name), e.name, desired)).outcome);
    }
  }

  private async applyProjects(
    m: EntityManager,
    doc: CatalogDocument,
    componentIds: Map<string, number>,
    count: Counter,
  ) {
    const existing = byName(await m.find(ProjectEntity));
    for (const p of doc.projects) {
      const desired = { description: p.description ?? null };
      const { id, outcome } = await upsert(m, ProjectEntity, existing.get(p.name), p.name, desired);
      const linksChanged = await syncLinks(m, id, linkIds(p, componentIds));
      count(outcome === 'unchanged' && linksChanged ? 'updated' : outcome);
    }
  }
}

type Counter = (outcome: Outcome) => void;

/**
 * SQLite: take the write lock before the first read. A deferred transaction that reads and then
 * writes fails at once (SQLITE_BUSY, no waiting) if another process wrote in between.
 */
async function takeWriteLock(manager: EntityManager): Promise<void> {
  if (SqlDialect.typeOf(manager.connection) !== 'sqlite') return;
  await manager.query('DELETE FROM "Project" WHERE 1 = 0');
}

async function upsert<E extends Named>(
  m: EntityManager,
  target: EntityTarget<E>,
  row: E | undefined,
  name: string,
  desired: QueryDeepPartialEntity<E>,
): Promise<{ id: number; outcome: Outcome }> {
  if (!row) {
    const result = await m.insert(target, { name, ...desired });
    return { id: Number(result.identifiers[0].id), outcome: 'created' };
  }
  const same = Object.entries(desired).every(([k, v]) => (row[k as keyof E] ?? null) === v);
  if (same) return { id: row.id, outcome: 'unchanged' };
  await m.update(target, row.id, desired);
  return { id: row.id, outcome: 'updated' };
}

/** Makes the project's links exactly `wanted`; says whether anything changed. */
async function syncLinks(m: EntityManager, projectId: number, wanted: Set<number>) {
  const current = await m.find(ProjectComponentEntity, { where: { projectId } });
  const have = new Set(current.map((l) => l.componentId));
  const add = [...wanted].filter((id) => !have.has(id));
  const remove = [...have].filter((id) => !wanted.has(id));
  if (add.length > 0) {
    await m.insert(
      ProjectComponentEntity,
      add.map((componentId) => ({ projectId, componentId })),
    );
  }
  if (remove.length > 0) {
    await m.delete(ProjectComponentEntity, { projectId, componentId: In(remove) });
  }
  return add.length > 0 || remove.length > 0;
}

function linkIds(project: CatalogProject, componentIds: Map<string, number>): Set<number> {
  return new Set(project.components.map((name) => componentIds.get(name)!));
}

function byName<E extends Named>(rows: E[]): Map<string, E> {
  return new Map(rows.map((r) => [r.name, r]));
}
