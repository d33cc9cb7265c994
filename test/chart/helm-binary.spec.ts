import { execFileSync } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { MiniHelm, readYamlFile, Values } from '../support/mini-helm';

/**
 * Where a real helm is installed, checks the chart with it and checks that mini-helm renders
 * exactly what helm renders, so the renderer the other chart tests rely on cannot drift.
 */
const CHART_DIR = join(__dirname, '../../helm/dorc-monitor');
const EXAMPLES = readdirSync(join(CHART_DIR, 'examples')).filter((file) => file.endsWith('.yaml'));

function findOnPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    try {
      accessSync(join(dir, command), constants.X_OK);
      return join(dir, command);
    } catch {
      // Not in this directory; keep looking.
    }
  }
  return undefined;
}

/** Objects keyed by kind/name, so helm's document order and comments do not matter. */
function byKindAndName(text: string): Map<string, unknown> {
  const objects = new Map<string, unknown>();
  for (const doc of parseAllDocuments(text)) {
    const value = doc.toJS() as { kind: string; metadata: { name: string } } | null;
    if (value) objects.set(`${value.kind}/${value.metadata.name}`, value);
  }
  return objects;
}

const helm = findOnPath('helm');
const describeWithHelm = helm ? describe : describe.skip;
const title = helm
  ? `helm binary at ${helm}`
  : 'helm binary (skipped: no helm on PATH; the chart is checked with mini-helm and ajv only)';

describeWithHelm(title, () => {
  let home: string;
  const run = (...args: string[]): string =>
    execFileSync(helm!, args, {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, HELM_CACHE_HOME: home, HELM_CONFIG_HOME: home, HELM_DATA_HOME: home },
    });

  beforeAll(() => {
    home = mkdtempSync(join(tmpdir(), 'dorc-helm-'));
  });

  afterAll(() => {
    rmSync(home, { recursive: true, force: true });
  });

  it.each(['', ...EXAMPLES])('lints with values %s', (file) => {
    const values = file ? ['-f', join(CHART_DIR, 'examples', file)] : [];
    expect(run('lint', '--strict', CHART_DIR, ...values)).toContain('0 chart(s) failed');
  });

  it.each(['', ...EXAMPLES])('renders the same objects as mini-helm with values %s', (file) => {
    const values = file ? ['-f', join(CHART_DIR, 'examples', file)] : [];
    const overrides = file ? [readYamlFile(join(CHART_DIR, 'examples', file)) as Values] : [];
    const fromHelm = byKindAndName(run('template', 'dorc', CHART_DIR, ...values));
    const rendered = MiniHelm.load(CHART_DIR).render(overrides, { name: 'dorc' });
    const fromMini = byKindAndName([...rendered.manifests.values()].join('\n---\n'));
    expect(fromMini).toEqual(fromHelm);
  });

  it('refuses a grace period that does not exceed ShutdownGraceSeconds', () => {
    expect(() =>
      run('template', 'dorc', CHART_DIR, '--set', 'terminationGracePeriodSeconds=30'),
    ).toThrow(/must be greater than settings.ShutdownGraceSeconds/);
  });
});
