import Ajv from 'ajv';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { MiniHelm, Values, readYamlFile } from '../support/mini-helm';

const CHART_DIR = join(__dirname, '../../helm/dorc-monitor');
const EXAMPLES = readdirSync(join(CHART_DIR, 'examples')).filter((file) => file.endsWith('.yaml'));
const chart = MiniHelm.load(CHART_DIR);
const schema = JSON.parse(readFileSync(join(CHART_DIR, 'values.schema.json'), 'utf8'));
const validate = new Ajv({ allErrors: true, strict: true }).compile(schema);

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed YAML, read freely by the tests
type Doc = Record<string, any>;

const example = (file: string): Values => readYamlFile(join(CHART_DIR, 'examples', file)) as Values;

/** Every value variant the tests render: defaults, each example, and the optional parts on. */
const VARIANTS: [string, Values[]][] = [
  ['values.yaml', []],
  ...EXAMPLES.map((file): [string, Values[]] => [file, [example(file)]]),
  [
    'plain auth, PVC scripts, ServiceMonitor',
    [
      {
        settings: { HighAvailability: { RabbitMQ: { AuthMode: 'Plain', UserName: 'dorc' } } },
        scripts: { source: 'persistentVolumeClaim', claimName: 'scripts' },
        serviceMonitor: { enabled: true },
        extraEnv: [{ name: 'LOG_FORMAT', value: 'json' }],
      },
    ],
  ],
];

function renderDocs(overrides: Values[] = []): Doc[] {
  const { manifests } = chart.render(overrides);
  return [...manifests.values()].flatMap((text) =>
    parseAllDocuments(text).map((doc) => {
      if (doc.errors.length > 0) throw new Error(doc.errors.map(String).join('\n'));
      return doc.toJS() as Doc;
    }),
  );
}

function only(docs: Doc[], kind: string, nameSuffix = ''): Doc {
  const found = docs.filter((d) => d.kind === kind && d.metadata.name.endsWith(nameSuffix));
  expect(found).toHaveLength(1);
  return found[0];
}

const container = (deployment: Doc): Doc => deployment.spec.template.spec.containers[0];

function appSettings(docs: Doc[]): Doc {
  const configMap = docs.find(
    (d) => d.kind === 'ConfigMap' && !d.metadata.name.endsWith('-scripts'),
  );
  return JSON.parse(configMap!.data['appsettings.json']).AppSettings;
}

function keysDeep(value: unknown): string[] {
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, inner]) => [key, ...keysDeep(inner)]);
}

describe('values.schema.json', () => {
  it('is strict at the top level', () => {
    expect(schema.additionalProperties).toBe(false);
  });

  it.each(['values.yaml', ...EXAMPLES])('accepts %s', (file) => {
    const values = file === 'values.yaml' ? chart.values() : chart.values(example(file));
    expect(validate(values) ? [] : validate.errors).toEqual([]);
  });

  it.each<[string, Values]>([
    ['replicaCount as a string', { replicaCount: 'two' }],
    ['an unknown top-level key', { replicas: 3 }],
    [
      'a connection string inline in settings',
      { settings: { Database: { ConnectionString: 'x' } } },
    ],
    [
      'an OAuth password inline in settings',
      { settings: { HighAvailability: { RabbitMQ: { OAuth: { Password: 'x' } } } } },
    ],
    ['a misspelt settings key', { settings: { HighAvailability: { LockLeaseSecond: 10 } } }],
    ['an unknown database type', { settings: { Database: { Type: 'oracle' } } }],
    ['a boolean given as a string', { settings: { HighAvailability: { Enabled: 'true' } } }],
    ['a negative grace period', { terminationGracePeriodSeconds: -1 }],
  ])('rejects %s', (_, override) => {
    expect(validate(chart.values(override))).toBe(false);
  });
});

describe('template references', () => {
  it('name only keys that values.yaml defines', () => {
    const templatesDir = join(CHART_DIR, 'templates');
    const references = readdirSync(templatesDir).flatMap((file) => {
      const text = readFileSync(join(templatesDir, file), 'utf8');
      return [...text.matchAll(/\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)/g)].map((m) => m[1]);
    });
    const missing = references.filter((path) => {
      let node: unknown = chart.defaultValues;
      for (const key of path.slice(1).split('.')) {
        if (typeof node !== 'object' || node === null || !Object.hasOwn(node, key)) return true;
        node = (node as Values)[key];
      }
      return false;
    });
    expect(references.length).toBeGreaterThan(30);
    expect([...new Set(missing)]).toEqual([]);
  });
});

describe.each(VARIANTS)('chart rendered with %s', (_, overrides) => {
  const docs = renderDocs(overrides);
  const values = chart.values(...overrides);
  const deployment = only(docs, 'Deployment');

  it('gives well-formed Kubernetes objects', () => {
    expect(docs.length).toBeGreaterThanOrEqual(5);
    for (const doc of docs) {
      expect(doc).toEqual(expect.objectContaining({ apiVersion: expect.any(String) }));
      expect(doc.kind).toEqual(expect.any(String));
      expect(doc.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    }
  });

  it('probes liveness and startup on /health/live and readiness on /health/ready', () => {
    const monitor = container(deployment);
    expect(monitor.startupProbe.httpGet).toEqual({ path: '/health/live', port: 'http' });
    expect(monitor.livenessProbe.httpGet).toEqual({ path: '/health/live', port: 'http' });
    expect(monitor.readinessProbe.httpGet).toEqual({ path: '/health/ready', port: 'http' });
    expect(monitor.ports).toEqual([{ name: 'http', containerPort: 8080, protocol: 'TCP' }]);
  });

  it('runs as non-root on a read-only root with writable data and tmp', () => {
    const pod = deployment.spec.template.spec;
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(container(deployment).securityContext).toMatchObject({
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
    });
    const mounts = container(deployment).volumeMounts.map((m: Doc) => m.mountPath);
    expect(mounts).toEqual(
      expect.arrayContaining(['/app/data', '/tmp', appSettings(docs).ScriptRoot]),
    );
  });

  it('gives the pod longer to stop than the monitor takes to shut down', () => {
    const grace = deployment.spec.template.spec.terminationGracePeriodSeconds;
    expect(grace).toBeGreaterThan(appSettings(docs).ShutdownGraceSeconds);
  });

  it('names each replica after its pod and runs replicaCount of them', () => {
    const env = container(deployment).env.find((e: Doc) => e.name === 'AppSettings__MonitorId');
    expect(env.valueFrom).toEqual({ fieldRef: { fieldPath: 'metadata.name' } });
    expect(deployment.spec.replicas).toBe(values.replicaCount);
  });

  it('takes secrets from secretKeyRef only, never from the ConfigMap', () => {
    const secretLike = /password|secret|connectionstring/i;
    expect(keysDeep(appSettings(docs)).filter((key) => secretLike.test(key))).toEqual([]);
    const secretEnv = container(deployment).env.filter((e: Doc) => secretLike.test(e.name));
    expect(secretEnv.length).toBeGreaterThan(0);
    for (const env of secretEnv) {
      expect(env.value).toBeUndefined();
      expect(env.valueFrom.secretKeyRef).toEqual({
        name: expect.any(String),
        key: expect.any(String),
      });
    }
  });

  it('lets unhealthy pods be evicted when the disruption budget exists', () => {
    const budget = only(docs, 'PodDisruptionBudget');
    expect(budget.spec.unhealthyPodEvictionPolicy).toBe('AlwaysAllow');
    expect(budget.spec.selector).toEqual(deployment.spec.selector);
  });

  it('spreads replicas over nodes without blocking scheduling', () => {
    const [spread] = deployment.spec.template.spec.topologySpreadConstraints;
    expect(spread).toMatchObject({
      topologyKey: 'kubernetes.io/hostname',
      whenUnsatisfiable: 'ScheduleAnyway',
    });
    expect(spread.labelSelector).toEqual(deployment.spec.selector);
  });
});

describe('secret wiring', () => {
  const secretEnv = (overrides: Values[]): Record<string, Doc> => {
    const env = container(only(renderDocs(overrides), 'Deployment')).env as Doc[];
    return Object.fromEntries(
      env.filter((e) => e.valueFrom?.secretKeyRef).map((e) => [e.name, e.valueFrom.secretKeyRef]),
    );
  };

  it('maps the connection string and OAuth password by default', () => {
    expect(secretEnv([])).toEqual({
      AppSettings__Database__ConnectionString: {
        name: 'dorc-dorc-monitor',
        key: 'database-connection-string',
      },
      AppSettings__HighAvailability__RabbitMQ__OAuth__Password: {
        name: 'dorc-dorc-monitor',
        key: 'oauth-password',
      },
    });
  });

  it('maps the client secret and skips an emptied key', () => {
    const env = secretEnv([example('values-mssql.yaml')]);
    expect(Object.keys(env).sort()).toEqual([
      'AppSettings__Database__ConnectionString',
      'AppSettings__HighAvailability__RabbitMQ__OAuth__ClientSecret',
    ]);
  });

  it('maps the RabbitMQ password in Plain mode instead of the OAuth one', () => {
    const plain = { settings: { HighAvailability: { RabbitMQ: { AuthMode: 'Plain' } } } };
    expect(Object.keys(secretEnv([plain])).sort()).toEqual([
      'AppSettings__Database__ConnectionString',
      'AppSettings__HighAvailability__RabbitMQ__Password',
    ]);
  });
});

describe('rendering guards', () => {
  it.each([30, 20])(
    'fails when terminationGracePeriodSeconds is %i and ShutdownGraceSeconds 30',
    (grace) => {
      expect(() => chart.render([{ terminationGracePeriodSeconds: grace }])).toThrow(
        /terminationGracePeriodSeconds \(\d+\) must be greater than settings.ShutdownGraceSeconds \(30\)/,
      );
    },
  );

  it('renders when the grace period exceeds the shutdown grace by one second', () => {
    expect(() => chart.render([{ terminationGracePeriodSeconds: 31 }])).not.toThrow();
  });

  it('refuses several replicas on SQLite or without HA', () => {
    const sqlite = { settings: { Database: { Type: 'sqlite' } } };
    const noHa = { settings: { HighAvailability: { Enabled: false } } };
    expect(() => chart.render([sqlite])).toThrow(/shared database/);
    expect(() => chart.render([noHa])).toThrow(/HighAvailability.Enabled/);
  });

  it('renders one SQLite replica without HA, budget or migration job', () => {
    const single = {
      replicaCount: 1,
      settings: { Database: { Type: 'sqlite' }, HighAvailability: { Enabled: false } },
    };
    const kinds = renderDocs([single]).map((d) => d.kind);
    expect(kinds).not.toContain('PodDisruptionBudget');
    expect(kinds).not.toContain('Job');
  });

  it('renders the ServiceMonitor only when asked, scraping /metrics on the http port', () => {
    expect(renderDocs([]).map((d) => d.kind)).not.toContain('ServiceMonitor');
    const monitor = only(renderDocs([{ serviceMonitor: { enabled: true } }]), 'ServiceMonitor');
    expect(monitor.spec.endpoints).toEqual([
      expect.objectContaining({ port: 'http', path: '/metrics' }),
    ]);
  });

  it('requires a claim name for PVC scripts', () => {
    expect(() => chart.render([{ scripts: { source: 'persistentVolumeClaim' } }])).toThrow(
      /claimName is required/,
    );
  });

  it('rolls the pods when the settings change', () => {
    const checksum = (overrides: Values[]): string =>
      only(renderDocs(overrides), 'Deployment').spec.template.metadata.annotations[
        'checksum/config'
      ];
    expect(checksum([])).toMatch(/^[0-9a-f]{64}$/);
    expect(checksum([{ settings: { MaxConcurrentDeployments: 3 } }])).not.toBe(checksum([]));
  });

  it('tells how to see the locks in NOTES.txt', () => {
    const { notes } = chart.render();
    expect(notes).toContain('kubectl --namespace default port-forward');
    expect(notes).toContain('/locks/cluster');
    expect(notes).toMatch(/curl -s http:\/\/127\.0\.0\.1:8080\/locks\s/);
  });
});
