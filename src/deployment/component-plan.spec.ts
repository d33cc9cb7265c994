import { planComponents, PlannableComponent } from './component-plan';

interface TestComponent extends PlannableComponent {
  script: string | null;
}

let nextId = 1;
function component(name: string, parent?: TestComponent, isEnabled = true): TestComponent {
  return { id: nextId++, name, parentId: parent?.id ?? null, isEnabled, script: `${name}.sh` };
}

/*
 * Catalogue, given out of order on purpose:
 *   Web            (root)      children: api, Assets, zeta
 *     api                      children: Migrations
 *       Migrations
 *     Assets
 *     zeta
 *   Database       (root)      children: Schema
 *     Schema
 *   batch          (root, disabled)
 */
const web = component('Web');
const zeta = component('zeta', web);
const database = component('Database');
const api = component('api', web);
const schema = component('Schema', database);
const migrations = component('Migrations', api);
const assets = component('Assets', web);
const batch = component('batch', undefined, false);
const catalog = [web, zeta, database, api, schema, migrations, assets, batch];

const names = (plan: ReturnType<typeof planComponents<TestComponent>>) =>
  plan.steps.map((s) => s.component.name);

describe('planComponents', () => {
  it('runs requested components depth-first, siblings sorted by name regardless of case', () => {
    const plan = planComponents(catalog, ['Web', 'Database', 'batch'], []);

    expect(names(plan)).toEqual([
      'batch',
      'Database',
      'Schema',
      'Web',
      'api',
      'Migrations',
      'Assets',
      'zeta',
    ]);
    expect(plan.unknown).toEqual([]);
  });

  it('includes the whole subtree of a requested component, and each component once', () => {
    const plan = planComponents(catalog, ['api', 'WEB', 'migrations'], []);

    expect(names(plan)).toEqual(['Web', 'api', 'Migrations', 'Assets', 'zeta']);
  });

  it('follows the tree order, not the order of the request', () => {
    const plan = planComponents(catalog, ['zeta', 'Schema', 'Assets'], []);

    expect(names(plan)).toEqual(['Schema', 'Assets', 'zeta']);
  });

  it('skips only the named components; their children still run', () => {
    const plan = planComponents(catalog, ['Web'], ['API', 'zeta']);

    expect(names(plan)).toEqual(['Web', 'Migrations', 'Assets']);
  });

  it('keeps disabled components in the plan, marked disabled', () => {
    const plan = planComponents(catalog, ['batch', 'Database'], []);

    expect(plan.steps).toEqual([
      { component: batch, disabled: true },
      { component: database, disabled: false },
      { component: schema, disabled: false },
    ]);
  });

  it('lists requested names that are not in the catalogue, once each, as written', () => {
    const plan = planComponents(catalog, ['Nope', 'Schema', 'Nope', ' web '], []);

    expect(plan.unknown).toEqual(['Nope']);
    expect(names(plan)).toEqual(['Schema', 'Web', 'api', 'Migrations', 'Assets', 'zeta']);
  });

  it('starts a tree at a component whose parent is not in the project', () => {
    const orphan = { ...component('Orphan'), parentId: 9999 };
    const plan = planComponents([...catalog, orphan], ['Orphan', 'batch'], []);

    expect(names(plan)).toEqual(['batch', 'Orphan']);
  });

  it('still plans components caught in a parent cycle, once each', () => {
    const a = component('A');
    const b = component('B', a);
    a.parentId = b.id;
    const plan = planComponents([b, a], ['B'], []);

    expect(names(plan)).toEqual(['A', 'B']);
  });
});
