import { join } from 'node:path';
import {
  appSettings,
  load,
  problemsOf,
  TempDirs,
  writeFile,
} from '../../test/config/settings.helpers';

// loadSettings, by section: HA, TLS files, database, environment overrides, secrets.
const temp = new TempDirs();
afterEach(() => temp.cleanup());

const OAUTH_HA = {
  HighAvailability: {
    Enabled: 'true',
    RabbitMQ: {
      HostName: 'rabbit.example',
      OAuth: {
        UserName: 'svc-dorc',
        Password: 'oauth-password-1',
        TokenEndpoint: 'https://auth.example/oauth/token',
        ClientId: 'dorc-monitor',
      },
    },
  },
};

describe('loadSettings with HighAvailability enabled', () => {
  it('lists every missing OAuth key at once', () => {
    const env = { AppSettings__HighAvailability__Enabled: 'true' };

    expect(problemsOf(temp.create(), { env })).toEqual([
      'HighAvailability.RabbitMQ.OAuth.TokenEndpoint: required when HighAvailability.Enabled is true',
      'HighAvailability.RabbitMQ.OAuth.ClientId: required when HighAvailability.Enabled is true',
      'HighAvailability.RabbitMQ.OAuth.UserName: required when HighAvailability.Enabled is true',
      'HighAvailability.RabbitMQ.OAuth.Password: required when HighAvailability.Enabled is true',
    ]);
  });

  it('requires a client secret instead of a user with the client_credentials grant', () => {
    const env = {
      AppSettings__HighAvailability__Enabled: 'true',
      AppSettings__HighAvailability__RabbitMQ__OAuth__GrantType: 'client_credentials',
      AppSettings__HighAvailability__RabbitMQ__OAuth__ClientId: 'dorc',
    };

    expect(problemsOf(temp.create(), { env })).toEqual([
      'HighAvailability.RabbitMQ.OAuth.TokenEndpoint: required when HighAvailability.Enabled is true',
      'HighAvailability.RabbitMQ.OAuth.ClientSecret: required when HighAvailability.Enabled is true and HighAvailability.RabbitMQ.OAuth.GrantType is client_credentials',
    ]);
  });

  it('requires the RabbitMQ user and password in Plain mode', () => {
    const env = {
      AppSettings__HighAvailability__Enabled: 'True',
      AppSettings__HighAvailability__RabbitMQ__AuthMode: 'Plain',
    };

    expect(problemsOf(temp.create(), { env })).toEqual([
      'HighAvailability.RabbitMQ.UserName: required when HighAvailability.Enabled is true and HighAvailability.RabbitMQ.AuthMode is Plain',
      'HighAvailability.RabbitMQ.Password: required when HighAvailability.Enabled is true and HighAvailability.RabbitMQ.AuthMode is Plain',
    ]);
  });

  it('refuses an empty HostName', () => {
    const cwd = temp.create();
    const file = appSettings(OAUTH_HA);
    writeFile(cwd, 'appsettings.json', file);

    const env = { AppSettings__HighAvailability__RabbitMQ__HostName: ' ' };
    expect(problemsOf(cwd, { env })).toEqual([
      'HighAvailability.RabbitMQ.HostName: must not be empty',
    ]);
  });

  it('loads a complete OAuth configuration', () => {
    const cwd = temp.create();
    writeFile(cwd, 'appsettings.json', appSettings(OAUTH_HA));

    const { highAvailability } = load(cwd);
    expect(highAvailability.enabled).toBe(true);
    expect(highAvailability.rabbitMq.hostName).toBe('rabbit.example');
    expect(highAvailability.rabbitMq.oauth).toMatchObject({
      userName: 'svc-dorc',
      password: 'oauth-password-1',
      tokenEndpoint: 'https://auth.example/oauth/token',
      clientId: 'dorc-monitor',
      grantType: 'password',
    });
  });

  it('requires nothing when HighAvailability is disabled, but still checks what is present', () => {
    expect(load(temp.create()).highAvailability.enabled).toBe(false);

    const env = {
      AppSettings__HighAvailability__RabbitMQ__OAuth__TokenEndpoint: 'ftp://auth/token',
    };
    expect(problemsOf(temp.create(), { env })).toEqual([
      'HighAvailability.RabbitMQ.OAuth.TokenEndpoint: expected an http or https URL',
    ]);
  });

  it('reports only the bad Enabled value, not the keys HA would need', () => {
    const env = { AppSettings__HighAvailability__Enabled: 'maybe' };

    expect(problemsOf(temp.create(), { env })).toEqual([
      'HighAvailability.Enabled: expected true or false, got "maybe"',
    ]);
  });

  it('reports a bad AuthMode without guessing which credentials are missing', () => {
    const env = {
      AppSettings__HighAvailability__Enabled: 'true',
      AppSettings__HighAvailability__RabbitMQ__AuthMode: 'Kerberos',
    };

    expect(problemsOf(temp.create(), { env })).toEqual([
      'HighAvailability.RabbitMQ.AuthMode: expected one of OAuth, Plain, got "Kerberos"',
    ]);
  });

  it('requires the request lease to be shorter than the lock lease', () => {
    const env = {
      AppSettings__HighAvailability__LockLeaseSeconds: '20',
      AppSettings__HighAvailability__RequestLeaseSeconds: '20',
    };

    expect(problemsOf(temp.create(), { env })).toEqual([
      'HighAvailability.RequestLeaseSeconds: must be less than HighAvailability.LockLeaseSeconds (20)',
    ]);
  });
});

describe('loadSettings TLS files', () => {
  it('resolves existing certificate files against the working directory', () => {
    const cwd = temp.create();
    writeFile(cwd, 'ca.pem', 'ca');
    writeFile(cwd, 'client.pem', 'cert');
    writeFile(cwd, 'client.key', 'key');
    const ssl = {
      Enabled: 'true',
      CaFile: 'ca.pem',
      CertFile: 'client.pem',
      KeyFile: 'client.key',
    };
    writeFile(
      cwd,
      'appsettings.json',
      appSettings({ HighAvailability: { RabbitMQ: { Ssl: ssl } } }),
    );

    expect(load(cwd).highAvailability.rabbitMq.ssl).toEqual({
      enabled: true,
      serverName: undefined,
      caFile: join(cwd, 'ca.pem'),
      certFile: join(cwd, 'client.pem'),
      keyFile: join(cwd, 'client.key'),
    });
  });

  it('reports named files that do not exist, and a certificate without its key', () => {
    const cwd = temp.create();
    writeFile(cwd, 'client.pem', 'cert');
    const env = {
      AppSettings__HighAvailability__RabbitMQ__Ssl__CaFile: 'missing-ca.pem',
      AppSettings__HighAvailability__RabbitMQ__Ssl__CertFile: 'client.pem',
      AppSettings__HighAvailability__RabbitMQ__OAuth__CaFile: cwd,
    };

    expect(problemsOf(cwd, { env })).toEqual([
      `HighAvailability.RabbitMQ.Ssl.CaFile: file not found: ${join(cwd, 'missing-ca.pem')}`,
      'HighAvailability.RabbitMQ.Ssl.KeyFile: required with HighAvailability.RabbitMQ.Ssl.CertFile',
      `HighAvailability.RabbitMQ.OAuth.CaFile: file not found: ${cwd}`,
    ]);
  });
});

describe('loadSettings database', () => {
  it('resolves a relative SQLite path and keeps :memory:', () => {
    const cwd = temp.create();
    const relative = { AppSettings__Database__ConnectionString: 'db/monitor.sqlite' };
    const memory = { AppSettings__Database__ConnectionString: ':memory:' };

    expect(load(cwd, { env: relative }).database.connectionString).toBe(
      join(cwd, 'db', 'monitor.sqlite'),
    );
    expect(load(cwd, { env: memory }).database.connectionString).toBe(':memory:');
  });

  it('requires a connection string for postgres and mssql', () => {
    expect(problemsOf(temp.create(), { env: { AppSettings__Database__Type: 'postgres' } })).toEqual(
      ['Database.ConnectionString: required when Database.Type is postgres'],
    );
    expect(problemsOf(temp.create(), { env: { AppSettings__Database__Type: 'mssql' } })).toEqual([
      'Database.ConnectionString: required when Database.Type is mssql',
    ]);
  });

  it('honours ConnectionStrings.DOrcConnectionString for mssql', () => {
    const cwd = temp.create();
    const cs = 'Server=sql.example;Database=DOrc;User Id=dorc;Password=sql-pass-1;';
    const file = {
      ConnectionStrings: { DOrcConnectionString: cs },
      ...appSettings({ Database: { Type: 'mssql' } }),
    };
    writeFile(cwd, 'appsettings.json', file);

    expect(load(cwd).database).toEqual({
      type: 'mssql',
      connectionString: cs,
      runMigrations: false,
    });
  });

  it('prefers Database.ConnectionString over ConnectionStrings.DOrcConnectionString', () => {
    const env = {
      AppSettings__Database__Type: 'mssql',
      AppSettings__Database__ConnectionString: 'Server=new',
      ConnectionStrings__DOrcConnectionString: 'Server=old',
    };

    expect(load(temp.create(), { env }).database.connectionString).toBe('Server=new');
  });

  it('takes ConnectionStrings__DOrcConnectionString from the environment', () => {
    const env = {
      AppSettings__Database__Type: 'mssql',
      CONNECTIONSTRINGS__DORCCONNECTIONSTRING: 'Server=env',
    };

    expect(load(temp.create(), { env }).database.connectionString).toBe('Server=env');
  });

  it('ignores ConnectionStrings.DOrcConnectionString for SQLite', () => {
    const cwd = temp.create();
    const env = { ConnectionStrings__DOrcConnectionString: 'Server=sql' };

    expect(load(cwd, { env }).database.connectionString).toBe(
      join(cwd, 'data', 'dorc-monitor.sqlite'),
    );
  });
});

describe('loadSettings environment overrides', () => {
  it('beat the file, matching its keys in any case', () => {
    const cwd = temp.create();
    writeFile(cwd, 'appsettings.json', appSettings(OAUTH_HA));
    const env = {
      appsettings__highavailability__rabbitmq__hostname: 'env-host',
      APPSETTINGS__HIGHAVAILABILITY__ENABLED: 'false',
      AppSettings__Http__Port: '9000',
    };

    const settings = load(cwd, { env });
    expect(settings.highAvailability.rabbitMq.hostName).toBe('env-host');
    expect(settings.highAvailability.enabled).toBe(false);
    expect(settings.http.port).toBe(9000);
  });

  it('accept colons as separators and ignore unrelated variables', () => {
    const env = {
      'AppSettings:ServiceName': 'Colons',
      PATH: '/usr/bin',
      AppSettingsHttpPort: 'abc',
      Other__Http__Port: 'abc',
      AppSettings__: 'abc',
    };

    expect(load(temp.create(), { env }).serviceName).toBe('Colons');
  });

  it('treat an empty variable as unset', () => {
    const cwd = temp.create();
    writeFile(cwd, 'appsettings.json', appSettings({ ServiceName: 'FromFile' }));

    expect(load(cwd, { env: { AppSettings__ServiceName: '' } }).serviceName).toBe('FromFile');
  });

  it('read a secret from the file named by <VARIABLE>_FILE, without its trailing newline', () => {
    const cwd = temp.create();
    writeFile(cwd, 'appsettings.json', appSettings(OAUTH_HA));
    const secretFile = writeFile(cwd, 'pw', 'from-file-pw\n');
    const env = { AppSettings__HighAvailability__RabbitMQ__OAuth__Password_FILE: secretFile };

    expect(load(cwd, { env }).highAvailability.rabbitMq.oauth.password).toBe('from-file-pw');
  });

  it('report an unreadable _FILE and a variable set both ways', () => {
    const cwd = temp.create();
    const secretFile = writeFile(cwd, 'pw', 'x');
    const env = {
      AppSettings__HighAvailability__RabbitMQ__Password_FILE: join(cwd, 'missing'),
      AppSettings__HighAvailability__RabbitMQ__OAuth__ClientSecret: 'direct',
      AppSettings__HighAvailability__RabbitMQ__OAuth__ClientSecret_file: secretFile,
    };

    expect(problemsOf(cwd, { env })).toEqual([
      `AppSettings__HighAvailability__RabbitMQ__Password_FILE: cannot read ${join(cwd, 'missing')} (ENOENT)`,
      'AppSettings__HighAvailability__RabbitMQ__OAuth__ClientSecret: set both directly and through AppSettings__HighAvailability__RabbitMQ__OAuth__ClientSecret_FILE; keep one',
    ]);
  });

  it('replace a section that is not an object', () => {
    const cwd = temp.create();
    writeFile(cwd, 'appsettings.json', appSettings({ Http: 'none' }));

    expect(load(cwd, { env: { AppSettings__Http__Port: '81' } }).http.port).toBe(81);
  });
});

describe('loadSettings never reveals a secret', () => {
  const secrets = ['s3cret-oauth', 's3cret-client', 's3cret-plain', 's3cret-db', 's3cret-url'];

  it('leaves secret values out of every problem', () => {
    const cwd = temp.create();
    writeFile(
      cwd,
      'appsettings.json',
      appSettings({
        Database: { Type: 'postgres', ConnectionString: 'Host=db;Password=s3cret-db' },
        HighAvailability: {
          Enabled: 'true',
          RabbitMQ: {
            Password: ['s3cret-plain'],
            OAuth: {
              Password: { value: 's3cret-oauth' },
              ClientSecret: true,
              TokenEndpoint: 'ftp://user:s3cret-url@auth.example/token',
              AccessToken: 's3cret-client',
            },
          },
        },
      }),
    );

    const problems = problemsOf(cwd);
    expect(problems).toEqual([
      'Database.ConnectionString: expected a postgres:// or postgresql:// URL',
      'HighAvailability.RabbitMQ.Password: expected a string',
      'HighAvailability.RabbitMQ.OAuth.Password: expected a string',
      'HighAvailability.RabbitMQ.OAuth.TokenEndpoint: expected an http or https URL',
      'HighAvailability.RabbitMQ.OAuth.ClientSecret: expected a string',
      'HighAvailability.RabbitMQ.OAuth.ClientId: required when HighAvailability.Enabled is true',
      'HighAvailability.RabbitMQ.OAuth.UserName: required when HighAvailability.Enabled is true',
    ]);
    for (const secret of secrets) expect(problems.join('\n')).not.toContain(secret);
  });

  it('leaves secret values out of the error message', () => {
    const env = {
      AppSettings__HighAvailability__Enabled: 'true',
      AppSettings__HighAvailability__RabbitMQ__OAuth__Password: 's3cret-oauth',
      AppSettings__HighAvailability__RabbitMQ__OAuth__TokenEndpoint: 'not a url s3cret-url',
    };

    let message = '';
    try {
      load(temp.create(), { env });
    } catch (error) {
      message = String(error);
    }
    expect(message).toContain('TokenEndpoint: expected an http or https URL');
    for (const secret of secrets) expect(message).not.toContain(secret);
  });
});
