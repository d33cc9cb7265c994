import { hostname } from 'node:os';
import { join } from 'node:path';
import {
  appSettings,
  load,
  problemsOf,
  TempDirs,
  writeFile,
} from '../../test/config/settings.helpers';
import { Settings } from './settings';
import { loadSettings } from './settings.loader';

const temp = new TempDirs();
afterEach(() => temp.cleanup());

describe('loadSettings defaults', () => {
  it('gives every default when there is no file and no override', () => {
    const cwd = temp.create();

    const expected: Settings = {
      monitorId: 'test-host',
      isProduction: false,
      serviceName: 'DeploymentActionService',
      requestProcessingIterationDelayMs: 1000,
      maxConcurrentDeployments: 0,
      scriptRoot: join(cwd, 'scripts'),
      componentTimeoutSeconds: 0,
      shutdownGraceSeconds: 30,
      abandonAfterHours: 24,
      componentLogMaxBytes: 65536,
      http: { port: 8080, host: '0.0.0.0' },
      database: {
        type: 'sqlite',
        connectionString: join(cwd, 'data', 'dorc-monitor.sqlite'),
        runMigrations: true,
      },
      highAvailability: {
        enabled: false,
        lockLeaseSeconds: 300,
        heartbeatSeconds: 60,
        requestLeaseSeconds: 10,
        recoveryPolicy: 'Resume',
        rabbitMq: {
          hostName: 'localhost',
          port: 5672,
          virtualHost: '/',
          authMode: 'OAuth',
          userName: undefined,
          password: undefined,
          oauth: {
            userName: undefined,
            password: undefined,
            tokenEndpoint: undefined,
            clientId: undefined,
            clientSecret: undefined,
            scope: undefined,
            grantType: 'password',
            refreshMarginSeconds: 30,
            requestTimeoutSeconds: 10,
            caFile: undefined,
          },
          ssl: {
            enabled: false,
            serverName: undefined,
            caFile: undefined,
            certFile: undefined,
            keyFile: undefined,
          },
        },
      },
    };
    expect(load(cwd)).toEqual(expected);
  });

  it('uses the machine host name as MonitorId when no host name is given', () => {
    const settings = loadSettings({ env: {}, cwd: temp.create() });

    expect(settings.monitorId).toBe(hostname());
  });

  it('defaults the RabbitMQ port to 5671 when TLS is enabled', () => {
    const cwd = temp.create();
    writeFile(
      cwd,
      'appsettings.json',
      appSettings({ HighAvailability: { RabbitMQ: { Ssl: { Enabled: true } } } }),
    );

    expect(load(cwd).highAvailability.rabbitMq.port).toBe(5671);
  });

  it('does not run migrations by default on a server database', () => {
    const env = {
      AppSettings__Database__Type: 'postgres',
      AppSettings__Database__ConnectionString: 'postgres://db/dorc',
    };

    expect(load(temp.create(), { env }).database.runMigrations).toBe(false);
  });
});

describe('loadSettings file discovery', () => {
  it('reads ./appsettings.json from the working directory', () => {
    const cwd = temp.create();
    writeFile(cwd, 'appsettings.json', appSettings({ ServiceName: 'FromCwd' }));

    expect(load(cwd).serviceName).toBe('FromCwd');
  });

  it('prefers DORC_MONITOR_CONFIG, relative to the working directory, over ./appsettings.json', () => {
    const cwd = temp.create();
    writeFile(cwd, 'appsettings.json', appSettings({ ServiceName: 'FromCwd' }));
    writeFile(cwd, 'other.json', appSettings({ ServiceName: 'FromEnv' }));

    expect(load(cwd, { env: { DORC_MONITOR_CONFIG: 'other.json' } }).serviceName).toBe('FromEnv');
  });

  it('prefers the explicit path over DORC_MONITOR_CONFIG', () => {
    const cwd = temp.create();
    const explicit = writeFile(cwd, 'explicit.json', appSettings({ ServiceName: 'Explicit' }));
    writeFile(cwd, 'other.json', appSettings({ ServiceName: 'FromEnv' }));

    const env = { DORC_MONITOR_CONFIG: 'other.json' };
    expect(load(cwd, { env, configPath: explicit }).serviceName).toBe('Explicit');
  });

  it('reports an explicit path that does not exist', () => {
    const cwd = temp.create();
    writeFile(cwd, 'appsettings.json', appSettings({}));

    expect(problemsOf(cwd, { configPath: 'missing.json' })).toEqual([
      `ConfigFile: ${join(cwd, 'missing.json')} does not exist`,
    ]);
  });

  it('reports a DORC_MONITOR_CONFIG file that does not exist', () => {
    const cwd = temp.create();

    expect(problemsOf(cwd, { env: { DORC_MONITOR_CONFIG: '/nonexistent/dorc.json' } })).toEqual([
      'DORC_MONITOR_CONFIG: /nonexistent/dorc.json does not exist',
    ]);
  });

  it("accepts the guide's example with comments, trailing commas and a byte-order mark", () => {
    const cwd = temp.create();
    const text = `\uFEFF{
      "AppSettings": {
        "IsProduction": "True",
        "ServiceName": "DeploymentActionServiceProd",
        // ... other settings ...
        "HighAvailability": {
          "Enabled": "false", /* not yet */
          "RabbitMQ": { "HostName": "rabbitmq.yourdomain.com", "Port": "5672", },
        },
      },
    }`;
    writeFile(cwd, 'appsettings.json', text);

    const settings = load(cwd);
    expect(settings.isProduction).toBe(true);
    expect(settings.serviceName).toBe('DeploymentActionServiceProd');
    expect(settings.highAvailability.rabbitMq.hostName).toBe('rabbitmq.yourdomain.com');
  });

  it('reports invalid JSON with its position and without the text around it', () => {
    const cwd = temp.create();
    writeFile(cwd, 'appsettings.json', '{\n  "AppSettings": { "Password": "hunter2-value" x }\n}');

    const problems = problemsOf(cwd);
    expect(problems).toEqual([
      expect.stringMatching(/^ConfigFile: .*appsettings\.json is not valid JSON/),
    ]);
    expect(problems.join('\n')).not.toContain('hunter2-value');
  });

  it('reports a file whose top level is not an object', () => {
    const cwd = temp.create();
    writeFile(cwd, 'appsettings.json', '[1, 2]');

    expect(problemsOf(cwd)).toEqual([expect.stringMatching(/must hold a JSON object$/)]);
  });

  it('ignores keys it does not know, as the original appsettings has many', () => {
    const cwd = temp.create();
    const file = {
      Logging: { LogLevel: { Default: 'Information' } },
      AppSettings: {
        SmtpServer: 'mail',
        Unknown: { Deep: [1, 2] },
        HighAvailability: { Extra: 1 },
      },
    };
    writeFile(cwd, 'appsettings.json', file);

    expect(load(cwd).serviceName).toBe('DeploymentActionService');
  });

  it('reads keys in any case', () => {
    const cwd = temp.create();
    writeFile(cwd, 'appsettings.json', {
      appsettings: { HIGHAVAILABILITY: { rabbitmq: { hostname: 'lower' } } },
    });

    expect(load(cwd).highAvailability.rabbitMq.hostName).toBe('lower');
  });

  it('reports a section that is not an object instead of ignoring its keys', () => {
    const cwd = temp.create();
    writeFile(cwd, 'appsettings.json', appSettings({ HighAvailability: 'true' }));

    expect(problemsOf(cwd)).toEqual(['HighAvailability: expected an object']);
  });

  it('reports an AppSettings that is not an object', () => {
    const cwd = temp.create();
    writeFile(cwd, 'appsettings.json', { AppSettings: 'oops' });

    expect(problemsOf(cwd)).toEqual(['AppSettings: expected an object']);
  });
});

describe('loadSettings value types', () => {
  it.each([
    [true, true],
    [false, false],
    ['true', true],
    ['True', true],
    ['TRUE', true],
    ['false', false],
    ['False', false],
  ])('reads the boolean %p as %p', (value, expected) => {
    const cwd = temp.create();
    writeFile(cwd, 'appsettings.json', appSettings({ IsProduction: value }));

    expect(load(cwd).isProduction).toBe(expected);
  });

  it.each(['yes', '1', 1, 'on'])('refuses %p as a boolean', (value) => {
    const cwd = temp.create();
    writeFile(cwd, 'appsettings.json', appSettings({ HighAvailability: { Enabled: value } }));

    expect(problemsOf(cwd)).toEqual([
      `HighAvailability.Enabled: expected true or false, got ${JSON.stringify(value)}`,
    ]);
  });

  it('reads numbers given as strings', () => {
    const cwd = temp.create();
    const file = appSettings({
      Http: { Port: '9090' },
      AbandonAfterHours: '0.5',
      HighAvailability: { RabbitMQ: { Port: ' 5673 ' } },
    });
    writeFile(cwd, 'appsettings.json', file);

    const settings = load(cwd);
    expect(settings.http.port).toBe(9090);
    expect(settings.abandonAfterHours).toBe(0.5);
    expect(settings.highAvailability.rabbitMq.port).toBe(5673);
  });

  it('reports every bad value at once, with the value when it is not a secret', () => {
    const cwd = temp.create();
    const file = appSettings({
      RequestProcessingIterationDelayMs: 10,
      ComponentLogMaxBytes: 1.5,
      AbandonAfterHours: 0,
      MaxConcurrentDeployments: -1,
      Http: { Port: 70000 },
      Database: { Type: 'oracle' },
      HighAvailability: { Enabled: 'yes', RecoveryPolicy: 'Retry', RabbitMQ: { Port: 'abc' } },
    });
    writeFile(cwd, 'appsettings.json', file);

    expect(problemsOf(cwd)).toEqual([
      'RequestProcessingIterationDelayMs: expected an integer >= 50, got 10',
      'MaxConcurrentDeployments: expected an integer >= 0, got -1',
      'AbandonAfterHours: expected a number > 0, got 0',
      'ComponentLogMaxBytes: expected an integer >= 1024, got 1.5',
      'Http.Port: expected an integer from 1 to 65535, got 70000',
      'Database.Type: expected one of sqlite, postgres, mssql, got "oracle"',
      'HighAvailability.Enabled: expected true or false, got "yes"',
      'HighAvailability.RecoveryPolicy: expected one of Resume, Fail, got "Retry"',
      'HighAvailability.RabbitMQ.Port: expected an integer from 1 to 65535, got "abc"',
    ]);
  });

  it('matches choices ignoring case and returns them as documented', () => {
    const env = {
      AppSettings__Database__Type: 'PostgreS',
      AppSettings__Database__ConnectionString: 'postgresql://db/dorc',
      AppSettings__HighAvailability__RecoveryPolicy: 'fail',
      AppSettings__HighAvailability__RabbitMQ__AuthMode: 'plain',
      AppSettings__HighAvailability__RabbitMQ__OAuth__GrantType: 'CLIENT_CREDENTIALS',
    };

    const settings = load(temp.create(), { env });
    expect(settings.database.type).toBe('postgres');
    expect(settings.highAvailability.recoveryPolicy).toBe('Fail');
    expect(settings.highAvailability.rabbitMq.authMode).toBe('Plain');
    expect(settings.highAvailability.rabbitMq.oauth.grantType).toBe('client_credentials');
  });

  it('refuses an empty or over-long MonitorId', () => {
    expect(problemsOf(temp.create(), { env: { AppSettings__MonitorId: '  ' } })).toEqual([
      'MonitorId: must not be empty',
    ]);
    expect(problemsOf(temp.create(), { env: { AppSettings__MonitorId: 'm'.repeat(201) } })).toEqual(
      ['MonitorId: must be at most 200 characters'],
    );
  });

  it('resolves ScriptRoot against the working directory', () => {
    const cwd = temp.create();

    expect(load(cwd, { env: { AppSettings__ScriptRoot: 'deploy/scripts' } }).scriptRoot).toBe(
      join(cwd, 'deploy', 'scripts'),
    );
  });
});
