import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

/**
 * Static checks of the local HA stack: no docker engine runs here, so these tests check that the
 * compose file, its config files and the realm agree with each other and with the monitor.
 */
const ROOT = join(__dirname, '../..');
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed YAML, read freely by the tests
type Service = Record<string, any>;
const compose = parse(read('docker-compose.yml'), { merge: true }) as {
  services: Record<string, Service>;
};
const services = Object.entries(compose.services);
const MONITORS = ['monitor-1', 'monitor-2'];

/** Bind mounts of a service in short syntax: host path, container path. */
function bindMounts(service: Service): { host: string; container: string }[] {
  return ((service.volumes ?? []) as string[])
    .map((volume) => volume.split(':'))
    .filter(([host]) => host.startsWith('.') || host.startsWith('/'))
    .map(([host, container]) => ({ host, container }));
}

function mountedFile(service: Service, containerPath: string): string {
  const mount = bindMounts(service).find((m) => m.container === containerPath);
  expect(mount).toBeDefined();
  return read(mount!.host);
}

/** Compose interpolation default of `${NAME:-default}` inside a value. */
function interpolationDefault(value: string, name: string): string | undefined {
  return new RegExp(`\\$\\{${name}:-([^}]*)\\}`).exec(value)?.[1];
}

const settings = JSON.parse(read('deploy/monitor/appsettings.json')).AppSettings;
const oauth = settings.HighAvailability.RabbitMQ.OAuth;
const scopes: string[] = oauth.Scope.split(' ');
const realm = JSON.parse(read('deploy/keycloak/dorc-realm.json'));

describe('docker-compose.yml', () => {
  it('defines the broker, identity provider, database, migration and two monitors', () => {
    expect(Object.keys(compose.services)).toEqual(
      expect.arrayContaining(['rabbitmq', 'keycloak', 'sqlserver', 'migrate', ...MONITORS]),
    );
  });

  it.each(services)('%s uses an image pinned by tag', (_, service) => {
    const match = /^(.+?)(?::([^:/]+))?$/.exec(service.image as string)!;
    expect(match[2]).toBeDefined();
    expect(match[2]).not.toBe('latest');
    if (!service.build) expect(match[2]).toMatch(/\d/);
  });

  it.each(services.filter(([, s]) => s.build))(
    '%s builds from a context that exists',
    (_, service) => {
      expect(
        existsSync(join(ROOT, service.build.context, service.build.dockerfile ?? 'Dockerfile')),
      ).toBe(true);
    },
  );

  it.each(services)('%s mounts only files and folders that exist', (_, service) => {
    for (const { host } of bindMounts(service))
      expect([host, existsSync(join(ROOT, host))]).toEqual([host, true]);
  });

  it.each(services)(
    '%s depends only on services that exist, with fitting conditions',
    (_, service) => {
      for (const [name, { condition }] of Object.entries<Service>(service.depends_on ?? {})) {
        const target = compose.services[name];
        expect([name, target !== undefined]).toEqual([name, true]);
        if (condition === 'service_healthy') expect(target.healthcheck?.test).toBeDefined();
        if (condition === 'service_completed_successfully') expect(target.restart).toBe('no');
      }
    },
  );

  it('loads the example catalogue that migrate applies', () => {
    const migrate = compose.services.migrate;
    expect(migrate.command.join(' ')).toMatch(
      /migrate && node dist\/main\.js catalog apply \/app\/examples\/catalog\.yaml/,
    );
    expect(bindMounts(migrate)).toContainEqual({ host: './examples', container: '/app/examples' });
    expect(existsSync(join(ROOT, 'examples/catalog.yaml'))).toBe(true);
  });
});

describe.each(MONITORS)('%s', (name) => {
  const monitor = compose.services[name];

  it('reads HA settings from valid JSON with HA on, and no secret in the file', () => {
    const file = JSON.parse(mountedFile(monitor, '/app/config/appsettings.json')).AppSettings;
    expect(file.HighAvailability.Enabled).toBe(true);
    expect(monitor.environment.DORC_MONITOR_CONFIG).toBe('/app/config/appsettings.json');
    expect(JSON.stringify(file)).not.toMatch(/Password|ClientSecret|ConnectionString/);
  });

  it('gets its own id, its secrets from the environment, and its own host port', () => {
    const env = monitor.environment;
    expect(env.AppSettings__MonitorId).toBe(name);
    expect(env.AppSettings__HighAvailability__RabbitMQ__OAuth__Password).toMatch(
      /^\$\{DORC_OAUTH_PASSWORD:-.+\}$/,
    );
    expect(env.AppSettings__Database__ConnectionString).toContain('Database=DOrc');
    expect(monitor.ports).toEqual([`808${name.slice(-1)}:8080`]);
  });

  it('waits for its dependencies and is checked on /health/live', () => {
    expect(monitor.depends_on).toEqual({
      migrate: { condition: 'service_completed_successfully' },
      rabbitmq: { condition: 'service_healthy' },
      keycloak: { condition: 'service_healthy' },
    });
    expect(monitor.healthcheck.test.join(' ')).toContain('/health/live');
  });

  it("mounts the example catalogue's scripts at its ScriptRoot", () => {
    const mount = bindMounts(monitor).find((m) => m.container === settings.ScriptRoot);
    expect(mount).toBeDefined();
    const catalog = parse(read('examples/catalog.yaml')) as { scripts: { path: string }[] };
    for (const script of catalog.scripts)
      expect(existsSync(join(ROOT, mount!.host, script.path))).toBe(true);
  });

  it('is given longer to stop than its shutdown grace', () => {
    expect(Number.parseInt(monitor.stop_grace_period, 10)).toBeGreaterThan(
      settings.ShutdownGraceSeconds,
    );
  });
});

describe('RabbitMQ and Keycloak configuration', () => {
  const rabbit = compose.services.rabbitmq;
  const conf = mountedFile(rabbit, '/etc/rabbitmq/rabbitmq.conf');
  const advanced = mountedFile(rabbit, '/etc/rabbitmq/advanced.config');
  const client = realm.clients.find((c: Service) => c.clientId === oauth.ClientId);

  it('enables the OAuth 2.0 backend and the management UI', () => {
    const plugins = mountedFile(rabbit, '/etc/rabbitmq/enabled_plugins');
    expect(plugins).toMatch(/rabbitmq_auth_backend_oauth2/);
    expect(plugins).toMatch(/rabbitmq_management/);
    // The short name `oauth2` boots but refuses every login (FACTS.md).
    expect(conf).toMatch(/^auth_backends\.1 = rabbit_auth_backend_oauth2$/m);
  });

  it('fetches signing keys from the realm the monitors get tokens from, over http only in advanced.config', () => {
    const realmUrl = oauth.TokenEndpoint.replace(/\/protocol\/openid-connect\/token$/, '');
    expect(realmUrl).toBe(`http://keycloak:8080/realms/${realm.realm}`);
    expect(advanced).toContain(`{jwks_url, <<"${realmUrl}/protocol/openid-connect/certs">>}`);
    expect(conf).not.toMatch(/jwks_url|issuer/);
  });

  it("maps every scope the monitors request onto RabbitMQ's own", () => {
    for (const scope of scopes)
      expect(advanced).toMatch(new RegExp(`<<"${scope.replace(/\*/g, '\\*')}">> =>`));
  });

  it('lets the monitor client log in with the password grant and get the rabbitmq audience', () => {
    const resource = /^auth_oauth2\.resource_server_id = (\S+)$/m.exec(conf)![1];
    expect(client).toMatchObject({ directAccessGrantsEnabled: true, enabled: true });
    const audience = client.protocolMappers.find(
      (m: Service) => m.protocolMapper === 'oidc-audience-mapper',
    );
    expect(audience.config['included.custom.audience']).toBe(resource);
    expect(client.defaultClientScopes).toEqual(expect.arrayContaining(scopes));
    const defined = realm.clientScopes.map((s: Service) => s.name);
    expect(defined).toEqual(expect.arrayContaining(scopes));
  });

  it("creates the monitors' service user with the password the monitors are given", () => {
    const user = realm.users.find((u: Service) => u.username === oauth.UserName);
    expect(user.credentials).toEqual([
      expect.objectContaining({ type: 'password', value: '${DORC_OAUTH_PASSWORD}' }),
    ]);
    const keycloakDefault = interpolationDefault(
      compose.services.keycloak.environment.DORC_OAUTH_PASSWORD,
      'DORC_OAUTH_PASSWORD',
    );
    for (const name of MONITORS) {
      const env =
        compose.services[name].environment.AppSettings__HighAvailability__RabbitMQ__OAuth__Password;
      expect(interpolationDefault(env, 'DORC_OAUTH_PASSWORD')).toBe(keycloakDefault);
    }
  });

  it('gives SQL Server and the monitors the same SA password default', () => {
    const sa = interpolationDefault(
      compose.services.sqlserver.environment.MSSQL_SA_PASSWORD,
      'MSSQL_SA_PASSWORD',
    );
    for (const name of ['migrate', ...MONITORS]) {
      const connection = compose.services[name].environment.AppSettings__Database__ConnectionString;
      expect(interpolationDefault(connection, 'MSSQL_SA_PASSWORD')).toBe(sa);
    }
  });
});
