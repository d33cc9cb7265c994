import { resolve } from 'node:path';
import { readHighAvailability } from './high-availability.builder';
import { DatabaseSettings, DatabaseType, HttpSettings, Settings } from './settings';
import { NumberBounds, PORT, SettingsReader } from './settings.reader';

export interface BuildContext {
  /** Relative paths (ScriptRoot, the SQLite file, certificates) resolve against this. */
  cwd: string;
  /** Default MonitorId. */
  hostname: string;
}

export const DEFAULT_SQLITE_PATH = './data/dorc-monitor.sqlite';
const DATABASE_TYPES: readonly DatabaseType[] = ['sqlite', 'postgres', 'mssql'];
const COUNT: NumberBounds = { integer: true, min: 0 };
const MONITOR_ID_MAX_LENGTH = 200;

/** Reads every setting with its default; problems accumulate in the reader. */
export function buildSettings(r: SettingsReader, context: BuildContext): Settings {
  return {
    monitorId: r.string('MonitorId', context.hostname, { maxLength: MONITOR_ID_MAX_LENGTH }),
    isProduction: r.boolean('IsProduction', false),
    serviceName: r.string('ServiceName', 'DeploymentActionService'),
    requestProcessingIterationDelayMs: r.number('RequestProcessingIterationDelayMs', 1000, {
      integer: true,
      min: 50,
    }),
    maxConcurrentDeployments: r.number('MaxConcurrentDeployments', 0, COUNT),
    scriptRoot: resolve(context.cwd, r.string('ScriptRoot', './scripts')),
    componentTimeoutSeconds: r.number('ComponentTimeoutSeconds', 0, COUNT),
    shutdownGraceSeconds: r.number('ShutdownGraceSeconds', 30, COUNT),
    abandonAfterHours: r.number('AbandonAfterHours', 24, { above: 0 }),
    componentLogMaxBytes: r.number('ComponentLogMaxBytes', 65536, { integer: true, min: 1024 }),
    http: readHttp(r),
    database: readDatabase(r, context.cwd),
    highAvailability: readHighAvailability(r, context.cwd),
  };
}

function readHttp(r: SettingsReader): HttpSettings {
  return {
    port: r.number('Http.Port', 8080, PORT),
    host: r.string('Http.Host', '0.0.0.0'),
  };
}

function readDatabase(r: SettingsReader, cwd: string): DatabaseSettings {
  const type = r.choice('Database.Type', DATABASE_TYPES, 'sqlite');
  return {
    type,
    connectionString: readConnectionString(r, type, cwd),
    runMigrations: r.boolean('Database.RunMigrations', type === 'sqlite'),
  };
}

function readConnectionString(r: SettingsReader, type: DatabaseType, cwd: string): string {
  const path = 'Database.ConnectionString';
  const configured = r.optionalString(path) ?? legacyConnectionString(r, type);
  if (type === 'sqlite') return sqlitePath(configured ?? DEFAULT_SQLITE_PATH, cwd);

  if (configured === undefined) {
    r.require(path, configured, `required when Database.Type is ${type}`);
    return '';
  }
  if (type === 'postgres' && !isPostgresUrl(configured)) {
    r.problem(path, 'expected a postgres:// or postgresql:// URL');
  }
  return configured;
}

/** The original DOrc monitor keeps its SQL Server connection in `ConnectionStrings`. */
function legacyConnectionString(r: SettingsReader, type: DatabaseType): string | undefined {
  return type === 'mssql' ? r.optionalString('ConnectionStrings.DOrcConnectionString') : undefined;
}

function sqlitePath(path: string, cwd: string): string {
  return path === ':memory:' ? path : resolve(cwd, path);
}

function isPostgresUrl(text: string): boolean {
  return /^postgres(ql)?:\/\//i.test(text) && URL.canParse(text);
}
