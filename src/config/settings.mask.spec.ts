import { appSettings, load, TempDirs, writeFile } from '../../test/config/settings.helpers';
import { maskCredentials } from './embedded-credentials';
import { maskedSettings } from './settings.mask';

const temp = new TempDirs();
afterEach(() => temp.cleanup());

const SECRETS = {
  plain: 'pl41n-pass',
  oauth: 'oauth-pa55',
  client: 'cl1ent-secret',
  database: 'db-pa55w0rd',
  endpoint: 'endpoint-pw',
};

function loadWithSecrets(connectionString: string) {
  const cwd = temp.create();
  writeFile(
    cwd,
    'appsettings.json',
    appSettings({
      Database: { Type: connectionString.startsWith('postgres') ? 'postgres' : 'mssql' },
      HighAvailability: {
        Enabled: true,
        RabbitMQ: {
          UserName: 'guest',
          Password: SECRETS.plain,
          OAuth: {
            UserName: 'svc',
            TokenEndpoint: `https://svc:${SECRETS.endpoint}@auth.example/token`,
            ClientId: 'dorc',
            ClientSecret: SECRETS.client,
          },
        },
      },
    }),
  );
  const env = {
    AppSettings__Database__ConnectionString: connectionString,
    AppSettings__HighAvailability__RabbitMQ__OAuth__Password_FILE: writeFile(
      cwd,
      'pw',
      SECRETS.oauth,
    ),
  };
  return load(cwd, { env });
}

describe('maskedSettings', () => {
  it('prints no secret value, whatever its source', () => {
    const settings = loadWithSecrets(`postgres://dorc:${SECRETS.database}@db.example:5432/dorc`);

    const printed = JSON.stringify(maskedSettings(settings));
    for (const secret of Object.values(SECRETS)) expect(printed).not.toContain(secret);
  });

  it('shows secrets as ******** and everything else as loaded, in the shape of appsettings.json', () => {
    const settings = loadWithSecrets(`postgres://dorc:${SECRETS.database}@db.example:5432/dorc`);

    expect(maskedSettings(settings)).toMatchObject({
      AppSettings: {
        MonitorId: 'test-host',
        Http: { Port: 8080, Host: '0.0.0.0' },
        Database: {
          Type: 'postgres',
          ConnectionString: 'postgres://dorc:***@db.example:5432/dorc',
          RunMigrations: false,
        },
        HighAvailability: {
          Enabled: true,
          RabbitMQ: {
            HostName: 'localhost',
            UserName: 'guest',
            Password: '********',
            OAuth: {
              UserName: 'svc',
              Password: '********',
              TokenEndpoint: 'https://svc:***@auth.example/token',
              ClientId: 'dorc',
              ClientSecret: '********',
              Scope: null,
            },
            Ssl: { Enabled: false, CaFile: null },
          },
        },
      },
    });
  });

  it('shows an unset secret as null', () => {
    expect(maskedSettings(load(temp.create()))).toMatchObject({
      AppSettings: {
        HighAvailability: {
          RabbitMQ: { Password: null, OAuth: { Password: null, ClientSecret: null } },
        },
      },
    });
  });

  it('masks the password of a SQL Server connection string', () => {
    const settings = loadWithSecrets(`Server=sql;User Id=dorc;Password=${SECRETS.database};`);

    expect(maskedSettings(settings)).toMatchObject({
      AppSettings: { Database: { ConnectionString: 'Server=sql;User Id=dorc;Password=***;' } },
    });
  });
});

describe('maskCredentials', () => {
  it.each([
    ['Server=sql;Pwd=abc', 'Server=sql;Pwd=***'],
    ['Password = "a;b""c";Server=sql', 'Password = ***;Server=sql'],
    ["Server=sql; password='x;y'", 'Server=sql; password=***'],
    ['Server=sql;Password={p;}}w};Database=d', 'Server=sql;Password=***;Database=d'],
    [
      'postgres://u:p%40ss@h/db?sslmode=require&password=q',
      'postgres://u:***@h/db?sslmode=require&password=***',
    ],
    ['postgres://u@h/db', 'postgres://u@h/db'],
    ['/var/lib/dorc/monitor.sqlite', '/var/lib/dorc/monitor.sqlite'],
    ['postgres://u:pw@[bad/db', '***'],
  ])('masks %p as %p', (text, masked) => {
    expect(maskCredentials(text)).toBe(masked);
  });
});
