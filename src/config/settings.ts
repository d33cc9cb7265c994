/**
 * The monitor's validated, typed settings. Built once at start-up by the settings loader from
 * `appsettings.json` (section `AppSettings`), `AppSettings__...` environment overrides and
 * `<VARIABLE>_FILE` secrets. Every unit is in the field name.
 */
export type DatabaseType = 'sqlite' | 'postgres' | 'mssql';
export type RabbitAuthMode = 'OAuth' | 'Plain';
export type OAuthGrantType = 'password' | 'client_credentials';
export type RecoveryPolicy = 'Resume' | 'Fail';

export interface OAuthSettings {
  /** Service account for the password grant. Required with HA + OAuth + password grant. */
  userName?: string;
  /** Secret. */
  password?: string;
  tokenEndpoint?: string;
  clientId?: string;
  /** Secret; optional (confidential clients). */
  clientSecret?: string;
  /** Space-separated scopes; optional. */
  scope?: string;
  /** `password` (the guide's Resource Owner Password Credentials) or `client_credentials`. */
  grantType: OAuthGrantType;
  /** Refresh no later than this many seconds before `exp`. Default 30. */
  refreshMarginSeconds: number;
  /** Timeout of one token request. Default 10. */
  requestTimeoutSeconds: number;
  /** Extra CA bundle (PEM) trusted for the token endpoint. */
  caFile?: string;
}

export interface RabbitSslSettings {
  enabled: boolean;
  /** Expected server name; defaults to the host name. */
  serverName?: string;
  /** Extra CA bundle (PEM). Certificate verification is always on. */
  caFile?: string;
  certFile?: string;
  keyFile?: string;
}

export interface RabbitMqSettings {
  hostName: string;
  port: number;
  virtualHost: string;
  authMode: RabbitAuthMode;
  /** Plain auth only. */
  userName?: string;
  /** Plain auth only. Secret. */
  password?: string;
  oauth: OAuthSettings;
  ssl: RabbitSslSettings;
}

export interface HighAvailabilitySettings {
  enabled: boolean;
  /** Longest an environment lock is kept without proof of progress (a successful DB write). */
  lockLeaseSeconds: number;
  /** AMQP heartbeat of the lock connection; the silence guard fires after about one. */
  heartbeatSeconds: number;
  /** Lease on an in-flight request in the database; renewed every fifth of it. */
  requestLeaseSeconds: number;
  recoveryPolicy: RecoveryPolicy;
  rabbitMq: RabbitMqSettings;
}

export interface HttpSettings {
  port: number;
  host: string;
}

export interface DatabaseSettings {
  type: DatabaseType;
  /** File path (sqlite), postgres:// URL, or SQL Server connection string. Secret. */
  connectionString: string;
  /** Run migrations at start. Default true for sqlite, false otherwise. */
  runMigrations: boolean;
}

export interface Settings {
  monitorId: string;
  isProduction: boolean;
  serviceName: string;
  requestProcessingIterationDelayMs: number;
  maxConcurrentDeployments: number;
  scriptRoot: string;
  /** Per-component script timeout; 0 = none. */
  componentTimeoutSeconds: number;
  shutdownGraceSeconds: number;
  abandonAfterHours: number;
  /** Bytes of script output kept per component in DeploymentResult.Log (the tail). */
  componentLogMaxBytes: number;
  http: HttpSettings;
  database: DatabaseSettings;
  highAvailability: HighAvailabilitySettings;
}

/** Nest injection token for the validated `Settings` object. */
export const SETTINGS = 'DORC_MONITOR_SETTINGS';
