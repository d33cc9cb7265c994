import { DataSource, In } from 'typeorm';
import { ComponentEntity } from '../persistence/entities/component.entity';
import { EnvironmentEntity } from '../persistence/entities/environment.entity';
import { ProjectComponentEntity } from '../persistence/entities/project-component.entity';
import { ProjectEntity } from '../persistence/entities/project.entity';
import { ScriptEntity } from '../persistence/entities/script.entity';

export interface CatalogComponent {
  id: number;
  name: string;
  parentId: number | null;
  isEnabled: boolean;
  stopOnFailure: boolean;
  script: { name: string; path: string; nonProdOnly: boolean } | null;
}

export class CatalogError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CatalogError';
  }
}

/** Reads the part of the catalogue one request needs: its project's components and scripts. */
export class CatalogReader {
  constructor(private readonly dataSource: DataSource) {}

  async projectComponents(projectName: string): Promise<CatalogComponent[]> {
    const project = await this.dataSource
      .getRepository(ProjectEntity)
      .findOneBy({ name: projectName });
    if (!project) throw new CatalogError(`project '${projectName}' is not in the catalogue`);
    const links = await this.dataSource
      .getRepository(ProjectComponentEntity)
      .findBy({ projectId: project.id });
    const ids = links.map((l) => l.componentId);
    if (ids.length === 0) return [];
    const components = await this.dataSource.getRepository(ComponentEntity).findBy({ id: In(ids) });
    return this.withScripts(components);
  }

  async environmentIsProd(name: string): Promise<boolean | undefined> {
    const env = await this.dataSource.getRepository(EnvironmentEntity).findOneBy({ name });
    return env?.isProd;
  }

  private async withScripts(components: ComponentEntity[]): Promise<CatalogComponent[]> {
    const scriptIds = components.map((c) => c.scriptId).filter((id): id is number => id !== null);
    const scripts = scriptIds.length
      ? await this.dataSource.getRepository(ScriptEntity).findBy({ id: In(scriptIds) })
      : [];
    const byId = new Map(scripts.map((s) => [s.id, s]));
    return components.map((c) => {
      const script = c.scriptId === null ? undefined : byId.get(c.scriptId);
      return {
        id: c.id,
        name: c.name,
        parentId: c.parentId,
        isEnabled: c.isEnabled,
        stopOnFailure: c.stopOnFailure,
        script: script
          ? { name: script.name, path: script.path, nonProdOnly: script.nonProdOnly }
          : null,
      };
    });
  }
}
