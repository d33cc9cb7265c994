import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CatalogFileError } from './catalog-file.error';
import { loadCatalogFile, parseCatalogText } from './catalog-file.loader';

const GOOD_YAML = `
scripts:
  - name: deploy-web
    path: web/deploy.sh
components:
  - name: Web
    script: deploy-web
  - name: Web.Api
    parent: Web
    stopOnFailure: true
    type: PowerShell
environments:
  - name: QA
    isProd: false
projects:
  - name: App
    description: The app
    components: [Web]
`;

function problemsOf(text: string, file = 'catalog.yaml'): string[] {
  try {
    parseCatalogText(text, file);
  } catch (error) {
    if (error instanceof CatalogFileError) return error.message.split('\n').slice(1);
    throw error;
  }
  throw new Error('expected a CatalogFileError');
}

describe('catalogue files', () => {
  it('reads YAML and fills in the defaults', () => {
    const doc = parseCatalogText(GOOD_YAML, 'catalog.yaml');
    expect(doc.components).toEqual([
      { name: 'Web', script: 'deploy-web', enabled: true, stopOnFailure: false },
      { name: 'Web.Api', parent: 'Web', enabled: true, stopOnFailure: true, type: 'PowerShell' },
    ]);
    expect(doc.scripts).toEqual([
      { name: 'deploy-web', path: 'web/deploy.sh', nonProdOnly: false },
    ]);
    expect(doc.environments).toEqual([{ name: 'QA', isProd: false }]);
    expect(doc.projects).toEqual([{ name: 'App', description: 'The app', components: ['Web'] }]);
  });

  it('reads JSON, tab-indented too', () => {
    const json = JSON.stringify(parseCatalogText(GOOD_YAML, 'x.yaml'), null, '\t');
    expect(parseCatalogText(json, 'catalog.json')).toEqual(parseCatalogText(GOOD_YAML, 'x.yaml'));
  });

  it('treats an empty file as an empty catalogue', () => {
    expect(parseCatalogText('', 'empty.yaml')).toEqual({
      projects: [],
      environments: [],
      scripts: [],
      components: [],
    });
  });

  it('reports a bad reference with file, line and field path', () => {
    const text = GOOD_YAML.replace('    parent: Web', '    parent: web');
    expect(problemsOf(text)).toEqual([
      "catalog.yaml:9 components[1].parent: unknown component 'web'",
    ]);
  });

  it('lists every reference problem at once', () => {
    const text = `components:
  - name: A
    parent: B
  - name: B
    parent: A
  - name: C
    script: missing
  - name: c
projects:
  - name: P
    components:
      - A
      - Nope
`;
    expect(problemsOf(text)).toEqual([
      "catalog.yaml:8 components[3].name: duplicate component 'c' (also at components[2])",
      "catalog.yaml:7 components[2].script: unknown script 'missing'",
      "catalog.yaml:13 projects[0].components[1]: unknown component 'Nope'",
      'catalog.yaml:3 components[0].parent: parent cycle A -> B -> A',
    ]);
  });

  it('reports a component that is its own parent', () => {
    expect(problemsOf('components:\n  - name: A\n    parent: A\n')).toEqual([
      'catalog.yaml:3 components[0].parent: parent cycle A -> A',
    ]);
  });

  it('reports schema problems: missing, mistyped and unknown fields, unsafe paths', () => {
    const text = `environments:
  - name: QA
  - name: Prod
    isProd: "yes"
scripts:
  - name: s
    path: ../outside.sh
components:
  - name: W
    stopOnFaliure: true
`;
    expect(problemsOf(text)).toEqual([
      'catalog.yaml:2 environments[0].isProd: is required',
      'catalog.yaml:4 environments[1].isProd: must be a boolean, not string "yes"',
      "catalog.yaml:7 scripts[0].path: must not contain '..'",
      'catalog.yaml:10 components[0].stopOnFaliure: unknown field',
    ]);
  });

  it('reports YAML syntax errors with their line', () => {
    const [problem, ...rest] = problemsOf('projects:\n  - name: A\n  name: B\n');
    expect(rest).toEqual([]);
    expect(problem).toMatch(/^catalog\.yaml:3 \(document\): /);
  });

  it('reports a document that is not a mapping', () => {
    expect(problemsOf('- a\n- b\n')).toEqual([
      'catalog.yaml:1 (document): must be an object, not a list',
    ]);
  });

  it('loads a file from disk and names it in errors', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dorc-catalog-'));
    try {
      const good = join(dir, 'good.yaml');
      const bad = join(dir, 'bad.json');
      await writeFile(good, GOOD_YAML);
      await writeFile(bad, '{\n  "projects": [\n    { "name": "" }\n  ]\n}\n');

      expect(loadCatalogFile(good).projects[0].name).toBe('App');
      expect(() => loadCatalogFile(bad)).toThrow(`${bad}:3 projects[0].name: must not be empty`);
      expect(() => loadCatalogFile(join(dir, 'none.yaml'))).toThrow(
        /cannot read the file \(ENOENT\)/,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
