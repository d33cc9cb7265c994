import { readFileSync } from 'node:fs';
import type { Settings } from '../config/settings';
import { AppLogger } from '../logging/app-logger';
import type { MonitorMetrics } from '../metrics/monitor-metrics';
import { OAuthTokenClient } from '../oauth/oauth-token.client';
import { DistributedLockService } from '../rabbit-lock/distributed-lock.service';
import { plainCredentials, tokenCredentials } from '../rabbit-lock/lock-credentials';
import { LockTlsOptions } from '../rabbit-lock/rabbit-lock.options';
import { NoopLockService } from '../rabbit-lock/noop-lock.service';
import { RabbitLockService } from '../rabbit-lock/rabbit-lock.service';

/**
 * How long a renewal of the token on the live lock connection may take before it counts as lost.
 */
const UPDATE_SECRET_TIMEOUT_MS = 5000;
/** Longest wait between two reconnect attempts of the lock connection. */
const RECONNECT_MAX_MS = 5000;
/** Tokens still scrubbed from log lines: the current one and a couple before it. */
const REDACTED_TOKENS = 3;
const TOKEN_EXPIRY_METRIC = 'dorc_monitor_token_seconds_to_expiry';

export interface LockServiceParts {
  lock: DistributedLockService;
  tokenClient?: OAuthTokenClient;
}

/** The no-op lock with HA off; otherwise the RabbitMQ lock, authenticated by token or password. */
export function createLockService(settings: Settings, metrics: MonitorMetrics): LockServiceParts {
  const ha = settings.highAvailability;
  const rabbit = ha.rabbitMq;
  const usesTokens = ha.enabled && rabbit.authMode === 'OAuth';
  // Without tokens an always-0 "seconds to expiry" would look like a token about to lapse.
  if (!usesTokens) metrics.registry.removeSingleMetric(TOKEN_EXPIRY_METRIC);
  if (!ha.enabled) {
    metrics.brokerUp.set(1);
    return { lock: new NoopLockService() };
  }
  const tokenClient = usesTokens
    ? new OAuthTokenClient(rabbit.oauth, { logger: new AppLogger('OAuth') })
    : undefined;
  const lock = new RabbitLockService({
    hostname: rabbit.hostName,
    port: rabbit.port,
    vhost: rabbit.virtualHost,
    heartbeatSeconds: ha.heartbeatSeconds,
    connectionName: settings.monitorId,
    credentials: tokenClient
      ? tokenCredentials(tokenClient)
      : plainCredentials(rabbit.userName ?? '', rabbit.password ?? ''),
    tls: tlsOptions(settings),
    logger: new AppLogger('RabbitLock'),
    // A broker back after an outage should see its monitors within seconds, not half a minute.
    reconnectMaxMs: RECONNECT_MAX_MS,
  });
  if (tokenClient) renewOnLiveConnection(tokenClient, lock, metrics);
  return { lock, tokenClient };
}

/**
 * Each new token is pushed onto the live lock connection (`update-secret`) so no lock is
 * dropped; a refused or unanswered renewal is handled by the lock service as a loss.
 */
function renewOnLiveConnection(
  client: OAuthTokenClient,
  lock: RabbitLockService,
  metrics: MonitorMetrics,
) {
  const redacted: string[] = [];
  client.onToken(async (token) => {
    redactRecent(redacted, token);
    await lock.updateSecret(token, UPDATE_SECRET_TIMEOUT_MS);
    const validUntil = client.state().validUntil;
    if (validUntil) metrics.tokenSecondsToExpiry.set((validUntil.getTime() - Date.now()) / 1000);
  });
}

/**
 * Log lines are scrubbed of the few newest tokens. Older ones are forgotten: every line is checked
 * against the list, which would otherwise grow with each renewal for as long as the process runs.
 */
function redactRecent(redacted: string[], token: string): void {
  AppLogger.addSecret(token);
  redacted.push(token);
  while (redacted.length > REDACTED_TOKENS) AppLogger.forgetSecret(redacted.shift() as string);
}

function tlsOptions(settings: Settings): LockTlsOptions | undefined {
  const ssl = settings.highAvailability.rabbitMq.ssl;
  if (!ssl.enabled) return undefined;
  return {
    servername: ssl.serverName,
    ca: ssl.caFile ? readFileSync(ssl.caFile) : undefined,
    cert: ssl.certFile ? readFileSync(ssl.certFile) : undefined,
    key: ssl.keyFile ? readFileSync(ssl.keyFile) : undefined,
  };
}
