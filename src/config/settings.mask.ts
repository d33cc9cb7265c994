import { maskCredentials } from './embedded-credentials';
import {
  DatabaseSettings,
  HighAvailabilitySettings,
  OAuthSettings,
  RabbitMqSettings,
  RabbitSslSettings,
  Settings,
} from './settings';

/** What a secret is printed as. */
export const SECRET_MASK = '********';

/** Settings in the shape of `appsettings.json`, safe to print. */
export interface MaskedSettings {
  AppSettings: Record<string, unknown>;
}

/**
 * The settings as `dorc-monitor config` prints them: PascalCase like `appsettings.json`, every
 * secret shown as `********` (null when unset), credentials inside connection strings and URLs
 * masked, everything else as loaded (defaults included).
 */
export function maskedSettings(settings: Settings): MaskedSettings {
  return {
    AppSettings: {
      MonitorId: settings.monitorId,
      IsProduction: settings.isProduction,
      ServiceName: settings.serviceName,
      RequestProcessingIterationDelayMs: settings.requestProcessingIterationDelayMs,
      MaxConcurrentDeployments: settings.maxConcurrentDeployments,
      ScriptRoot: settings.scriptRoot,
      ComponentTimeoutSeconds: settings.componentTimeoutSeconds,
      ShutdownGraceSeconds: settings.shutdownGraceSeconds,
      AbandonAfterHours: settings.abandonAfterHours,
      ComponentLogMaxBytes: settings.componentLogMaxBytes,
      Http: { Port: settings.http.port, Host: settings.http.host },
      Database: maskDatabase(settings.database),
      HighAvailability: maskHighAvailability(settings.highAvailability),
    },
  };
}

function maskDatabase(database: DatabaseSettings): Record<string, unknown> {
  return {
    Type: database.type,
    ConnectionString: maskCredentials(database.connectionString),
    RunMigrations: database.runMigrations,
  };
}

function maskHighAvailability(ha: HighAvailabilitySettings): Record<string, unknown> {
  return {
    Enabled: ha.enabled,
    LockLeaseSeconds: ha.lockLeaseSeconds,
    HeartbeatSeconds: ha.heartbeatSeconds,
    RequestLeaseSeconds: ha.requestLeaseSeconds,
    RecoveryPolicy: ha.recoveryPolicy,
    RabbitMQ: maskRabbitMq(ha.rabbitMq),
  };
}

function maskRabbitMq(rabbit: RabbitMqSettings): Record<string, unknown> {
  return {
    HostName: rabbit.hostName,
    Port: rabbit.port,
    VirtualHost: rabbit.virtualHost,
    AuthMode: rabbit.authMode,
    UserName: shown(rabbit.userName),
    Password: secret(rabbit.password),
    OAuth: maskOAuth(rabbit.oauth),
    Ssl: maskSsl(rabbit.ssl),
  };
}

function maskOAuth(oauth: OAuthSettings): Record<string, unknown> {
  return {
    UserName: shown(oauth.userName),
    Password: secret(oauth.password),
    TokenEndpoint: oauth.tokenEndpoint === undefined ? null : maskCredentials(oauth.tokenEndpoint),
    ClientId: shown(oauth.clientId),
    ClientSecret: secret(oauth.clientSecret),
    Scope: shown(oauth.scope),
    GrantType: oauth.grantType,
    RefreshMarginSeconds: oauth.refreshMarginSeconds,
    RequestTimeoutSeconds: oauth.requestTimeoutSeconds,
    CaFile: shown(oauth.caFile),
  };
}

function maskSsl(ssl: RabbitSslSettings): Record<string, unknown> {
  return {
    Enabled: ssl.enabled,
    ServerName: shown(ssl.serverName),
    CaFile: shown(ssl.caFile),
    CertFile: shown(ssl.certFile),
    KeyFile: shown(ssl.keyFile),
  };
}

function shown(value: string | undefined): string | null {
  return value ?? null;
}

function secret(value: string | undefined): string | null {
  return value === undefined ? null : SECRET_MASK;
}
