import {
  HighAvailabilitySettings,
  OAuthGrantType,
  OAuthSettings,
  RabbitAuthMode,
  RabbitMqSettings,
  RabbitSslSettings,
  RecoveryPolicy,
} from './settings';
import { NumberBounds, PORT, SettingsReader } from './settings.reader';

const HA = 'HighAvailability';
const RABBIT = `${HA}.RabbitMQ`;
const OAUTH = `${RABBIT}.OAuth`;
const SSL = `${RABBIT}.Ssl`;
const REQUIRED = `required when ${HA}.Enabled is true`;

const SECONDS: NumberBounds = { integer: true, min: 1 };
const AUTH_MODES: readonly RabbitAuthMode[] = ['OAuth', 'Plain'];
const GRANT_TYPES: readonly OAuthGrantType[] = ['password', 'client_credentials'];
const RECOVERY_POLICIES: readonly RecoveryPolicy[] = ['Resume', 'Fail'];

/**
 * The `HighAvailability` section. Connection credentials are required only when HA is enabled,
 * but values that are present are checked either way.
 */
export function readHighAvailability(r: SettingsReader, cwd: string): HighAvailabilitySettings {
  const settings: HighAvailabilitySettings = {
    enabled: r.boolean(`${HA}.Enabled`, false),
    lockLeaseSeconds: r.number(`${HA}.LockLeaseSeconds`, 300, SECONDS),
    // AMQP carries the heartbeat in 16 bits.
    heartbeatSeconds: r.number(`${HA}.HeartbeatSeconds`, 60, { ...SECONDS, max: 65535 }),
    requestLeaseSeconds: r.number(`${HA}.RequestLeaseSeconds`, 10, { integer: true, min: 3 }),
    recoveryPolicy: r.choice(`${HA}.RecoveryPolicy`, RECOVERY_POLICIES, 'Resume'),
    rabbitMq: readRabbitMq(r, cwd),
  };

  checkLeases(r, settings);
  if (settings.enabled) requireCredentials(r, settings.rabbitMq);
  return settings;
}

function readRabbitMq(r: SettingsReader, cwd: string): RabbitMqSettings {
  const ssl = readSsl(r, cwd);
  return {
    hostName: r.string(`${RABBIT}.HostName`, 'localhost'),
    port: r.number(`${RABBIT}.Port`, ssl.enabled ? 5671 : 5672, PORT),
    virtualHost: r.string(`${RABBIT}.VirtualHost`, '/'),
    authMode: r.choice(`${RABBIT}.AuthMode`, AUTH_MODES, 'OAuth'),
    userName: r.optionalString(`${RABBIT}.UserName`),
    password: r.optionalString(`${RABBIT}.Password`),
    oauth: readOAuth(r, cwd),
    ssl,
  };
}

function readOAuth(r: SettingsReader, cwd: string): OAuthSettings {
  return {
    userName: r.optionalString(`${OAUTH}.UserName`),
    password: r.optionalString(`${OAUTH}.Password`),
    tokenEndpoint: r.httpUrl(`${OAUTH}.TokenEndpoint`),
    clientId: r.optionalString(`${OAUTH}.ClientId`),
    clientSecret: r.optionalString(`${OAUTH}.ClientSecret`),
    scope: r.optionalString(`${OAUTH}.Scope`),
    grantType: r.choice(`${OAUTH}.GrantType`, GRANT_TYPES, 'password'),
    refreshMarginSeconds: r.number(`${OAUTH}.RefreshMarginSeconds`, 30, { integer: true, min: 0 }),
    requestTimeoutSeconds: r.number(`${OAUTH}.RequestTimeoutSeconds`, 10, SECONDS),
    caFile: r.existingFile(`${OAUTH}.CaFile`, cwd),
  };
}

function readSsl(r: SettingsReader, cwd: string): RabbitSslSettings {
  const ssl: RabbitSslSettings = {
    enabled: r.boolean(`${SSL}.Enabled`, false),
    serverName: r.optionalString(`${SSL}.ServerName`),
    caFile: r.existingFile(`${SSL}.CaFile`, cwd),
    certFile: r.existingFile(`${SSL}.CertFile`, cwd),
    keyFile: r.existingFile(`${SSL}.KeyFile`, cwd),
  };
  // A client certificate is useless without its key, and the reverse.
  if (ssl.certFile !== undefined)
    r.require(`${SSL}.KeyFile`, ssl.keyFile, `required with ${SSL}.CertFile`);
  if (ssl.keyFile !== undefined)
    r.require(`${SSL}.CertFile`, ssl.certFile, `required with ${SSL}.KeyFile`);
  return ssl;
}

/**
 * The lock lease bounds how long a stalled holder keeps an environment; the lease on its
 * request must run out within that bound.
 */
function checkLeases(r: SettingsReader, settings: HighAvailabilitySettings): void {
  if (r.failed(`${HA}.LockLeaseSeconds`) || r.failed(`${HA}.RequestLeaseSeconds`)) return;
  if (settings.requestLeaseSeconds < settings.lockLeaseSeconds) return;
  r.problem(
    `${HA}.RequestLeaseSeconds`,
    `must be less than ${HA}.LockLeaseSeconds (${settings.lockLeaseSeconds})`,
  );
}

function requireCredentials(r: SettingsReader, rabbit: RabbitMqSettings): void {
  // HostName has a default and a blank one is already a problem: nothing to require here.
  // With an unreadable AuthMode, listing one mode's missing keys would mislead.
  if (r.failed(`${RABBIT}.AuthMode`)) return;

  if (rabbit.authMode === 'Plain') {
    const reason = `${REQUIRED} and ${RABBIT}.AuthMode is Plain`;
    r.require(`${RABBIT}.UserName`, rabbit.userName, reason);
    r.require(`${RABBIT}.Password`, rabbit.password, reason);
    return;
  }
  requireOAuth(r, rabbit.oauth);
}

function requireOAuth(r: SettingsReader, oauth: OAuthSettings): void {
  r.require(`${OAUTH}.TokenEndpoint`, oauth.tokenEndpoint, REQUIRED);
  r.require(`${OAUTH}.ClientId`, oauth.clientId, REQUIRED);
  if (r.failed(`${OAUTH}.GrantType`)) return;

  if (oauth.grantType === 'client_credentials') {
    const reason = `${REQUIRED} and ${OAUTH}.GrantType is client_credentials`;
    r.require(`${OAUTH}.ClientSecret`, oauth.clientSecret, reason);
    return;
  }
  r.require(`${OAUTH}.UserName`, oauth.userName, REQUIRED);
  r.require(`${OAUTH}.Password`, oauth.password, REQUIRED);
}
