import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestDatabase, withPostgres, withSqlite } from '../../test/support/databases';
import { CatalogFileError } from './catalog-file.error';
import { loadCatalogFile, parseCatalogText } from './catalog-file.loader';
import { CatalogDocument } from './catalog.schema';
import { CatalogService } from './catalog.service';

const CATALOG = parseCatalogText(
  `
scripts:
  - { name: web, path: web.sh }
  - { name: db, path: db/migrate.sh, nonProdOnly: true }
components:
  - { name: Web.Api, parent: Web, script: web, stopOnFailure: true }
  - { name: Web, type: Group }
  - { name: Db, script: db, enabled: false }
environments:
  - { name: QA, isProd: false }
  - { name: Prod, isProd: true, ownerEmail: ops@example.com }
projects:
  - { name: App, description: Main, components: [Web, Db] }
  - { name: Tools, components: [] }
`,
  'catalog.yaml',
);

type Row = Record<string, string | number | boolean | null>;

const TABLES = ['Script', 'Component', 'Environment', 'Project', 'ProjectComponent'];

describe.each([
  ['sqlite', withSqlite],
  ['postgres', withPostgres],
] as const)('CatalogService on %s', (_type, open) => {
  let db: TestDatabase;
  const service = new CatalogService();

  beforeEach(async () => {
    db = await open();
  });

  afterEach(async () => {
    await db.cleanup();
  });

  /** Every catalogue row, in key order: what "nothing changed" is compared on. */
  async function dump(): Promise<Record<string, Row[]>> {
    const result: Record<string, Row[]> = {};
    for (const table of TABLES) {
      const order = table === 'ProjectComponent' ? '"ProjectId", "ComponentId"' : '"Id"';
      result[table] = await db.dataSource.query(
        `SELECT * FROM ${db.dialect.table(table)} ORDER BY ${order}`,
      );
    }
    return result;
  }

  it('creates everything, linking parents, scripts and projects by name', async () => {
    expect(await service.apply(db.dataSource, CATALOG)).toEqual({
      created: 9,
      updated: 0,
      unchanged: 0,
    });

    const rows = await dump();
    const component = (name: string) => rows.Component.find((c) => c.Name === name)!;
    const script = (name: string) => rows.Script.find((s) => s.Name === name)!;
    expect(component('Web.Api').ParentId).toBe(component('Web').Id);
    expect(component('Web.Api').ScriptId).toBe(script('web').Id);
    expect(Boolean(component('Db').IsEnabled)).toBe(false);
    expect(component('Web').ComponentType).toBe('Group');
    const app = rows.Project.find((p) => p.Name === 'App')!.Id as number;
    expect(rows.ProjectComponent.map((l) => [l.ProjectId, l.ComponentId])).toEqual(
      [component('Web').Id as number, component('Db').Id as number]
        .sort((a, b) => a - b)
        .map((id) => [app, id]),
    );
  });

  it('changes nothing the second time', async () => {
    await service.apply(db.dataSource, CATALOG);
    const before = await dump();

    expect(await service.apply(db.dataSource, CATALOG)).toEqual({
      created: 0,
      updated: 0,
      unchanged: 9,
    });
    expect(await dump()).toEqual(before);
  });

  it('brings existing rows in line with the file and leaves unmentioned rows alone', async () => {
    await service.apply(db.dataSource, CATALOG);
    const changed: CatalogDocument = {
      ...CATALOG,
      components: CATALOG.components.map((c) =>
        c.name === 'Web.Api' ? { ...c, parent: undefined } : c,
      ),
      environments: [{ name: 'QA', isProd: false, ownerEmail: 'qa@example.com' }],
      projects: [{ name: 'App', description: 'Main', components: ['Web', 'Web.Api'] }],
    };

    // Web.Api (parent), QA (owner), App (links) change; 2 scripts, Web and Db do not; Prod and
    // Tools are not in the file.
    expect(await new CatalogService(db.dataSource).apply(changed)).toEqual({
      created: 0,
      updated: 3,
      unchanged: 4,
    });

    const rows = await dump();
    const component = (name: string) => rows.Component.find((c) => c.Name === name)!;
    expect(component('Web.Api').ParentId).toBeNull();
    expect(rows.Environment.map((e) => [e.Name, e.OwnerEmail])).toEqual([
      ['QA', 'qa@example.com'],
      ['Prod', 'ops@example.com'],
    ]);
    expect(rows.ProjectComponent.map((l) => l.ComponentId).sort()).toEqual(
      [component('Web').Id, component('Web.Api').Id].sort(),
    );
    expect(rows.Project.map((p) => p.Name)).toEqual(['App', 'Tools']);
  });

  it('rejects a catalogue with broken references and writes nothing', async () => {
    const broken: CatalogDocument = {
      ...CATALOG,
      components: [
        ...CATALOG.components,
        { name: 'Orphan', parent: 'Nowhere', enabled: true, stopOnFailure: false },
      ],
    };

    await expect(service.apply(db.dataSource, broken)).rejects.toThrow(CatalogFileError);
    await expect(service.apply(db.dataSource, broken)).rejects.toThrow(
      "components[3].parent: unknown component 'Nowhere'",
    );
    expect(Object.values(await dump()).flat()).toEqual([]);
  });

  it('rejects a bad file with its line and field, leaving the database as it was', async () => {
    await service.apply(db.dataSource, CATALOG);
    const before = await dump();
    const dir = await mkdtemp(join(tmpdir(), 'dorc-catalog-'));
    const file = join(dir, 'catalog.yaml');
    await writeFile(
      file,
      'environments:\n  - name: QA\n    isProd: false\n  - name: Staging\n    isProd: maybe\n',
    );
    try {
      const applyFile = async () => service.apply(db.dataSource, loadCatalogFile(file));
      await expect(applyFile()).rejects.toThrow(
        `${file}:5 environments[1].isProd: must be a boolean`,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    expect(await dump()).toEqual(before);
  });

  it('writes nothing when the database fails part-way through', async () => {
    // Environments are written after scripts and components: fail there.
    await failInsertsInto('Environment');

    await expect(service.apply(db.dataSource, CATALOG)).rejects.toThrow(/catalog test refuses/);
    expect(Object.values(await dump()).flat()).toEqual([]);
  });

  async function failInsertsInto(table: string): Promise<void> {
    if (db.dialect.type === 'sqlite') {
      await db.dataSource.query(
        `CREATE TRIGGER refuse BEFORE INSERT ON "${table}" BEGIN SELECT RAISE(ABORT, 'catalog test refuses'); END`,
      );
      return;
    }
    await db.dataSource.query(
      `CREATE FUNCTION deploy.refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'catalog test refuses'; END $$`,
    );
    await db.dataSource.query(
      `CREATE TRIGGER refuse BEFORE INSERT ON ${db.dialect.table(table)} FOR EACH ROW EXECUTE FUNCTION deploy.refuse()`,
    );
  }
});
