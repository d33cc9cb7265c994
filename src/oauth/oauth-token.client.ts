import { OAuthSettings } from '../config/settings';
import { TokenEndpointTransport } from './token-endpoint.transport';
import { TokenRequestError } from './token-request.error';
import { parseTokenBody, readOAuthError } from './token-response.parser';
import { backoffDelayMs, refreshAfterMs, tokenLifetimeMs } from './token-timing';
import { assertUsableOAuthSettings, redactSecrets, tokenRequestForm } from './token-request.form';
import {
  GetTokenOptions,
  OAuthClock,
  OAuthLogger,
  OAuthTokenClientOptions,
  OAuthTokenState,
  TokenListener,
} from './oauth-token.types';

export type {
  GetTokenOptions,
  OAuthClock,
  OAuthLogFields,
  OAuthLogger,
  OAuthTokenClientOptions,
  OAuthTokenState,
  TokenListener,
} from './oauth-token.types';

interface CachedToken {
  value: string;
  refreshAt: number;
  expiresAt: number;
}

/** Assumed when the server states no lifetime at all (neither `expires_in` nor a JWT `exp`). */
const UNKNOWN_LIFETIME_MS = 60_000;
const MIN_CHECK_MS = 100;
const NO_LOGGER: OAuthLogger = { log() {}, warn() {}, debug() {}, error() {} };

/**
 * Obtains OAuth 2.0 access tokens for the broker (password or client-credentials grant), caches
 * them and renews them before they expire. Concurrent callers share one request. Tokens appear
 * only as the result of `getToken()` and the argument of `onToken` listeners: never in logs,
 * errors or `state()`.
 */
export class OAuthTokenClient {
  private readonly transport: TokenEndpointTransport;
  private readonly logger: OAuthLogger;
  private readonly clock: OAuthClock;
  private readonly listeners = new Set<TokenListener>();
  private token?: CachedToken;
  private inFlight?: Promise<string>;
  private notBefore = 0;
  private lastError?: TokenRequestError;
  private lastRefreshAt?: number;
  private timer?: NodeJS.Timeout;
  private running = false;

  constructor(
    private readonly settings: OAuthSettings,
    private readonly options: OAuthTokenClientOptions = {},
  ) {
    assertUsableOAuthSettings(settings);
    this.logger = options.logger ?? NO_LOGGER;
    this.clock = options.clock ?? Date;
    this.transport = new TokenEndpointTransport({
      endpoint: settings.tokenEndpoint ?? '',
      timeoutMs: settings.requestTimeoutSeconds * 1000,
      caFile: settings.caFile,
    });
  }

  /**
   * A valid access token: the cached one while it is fresh, otherwise a new one. When a refresh
   * fails but the cached token has not expired yet, that token is returned (the broker still
   * accepts it) and the failure is retried later. Rejects with `TokenRequestError`.
   */
  async getToken(options: GetTokenOptions = {}): Promise<string> {
    const force = options.forceRefresh === true;
    const now = this.clock.now();
    if (!force && this.token && now < this.token.refreshAt) return this.token.value;
    if (!force && now < this.notBefore) return this.unexpiredTokenOr(this.lastError);

    try {
      return await this.refreshOnce();
    } catch (error) {
      if (force) throw error;
      return this.unexpiredTokenOr(error);
    }
  }

  /** Calls `listener` with every new token (e.g. to `updateSecret` a live connection). */
  onToken(listener: TokenListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Starts renewing in the background, ahead of expiry. Safe to call twice. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.logger.log('OAuth token refresher started', {
      endpoint: this.transport.displayName,
      grantType: this.settings.grantType,
    });
    this.arm(0);
  }

  /** Stops background renewal. A refresh already running completes. Safe to call twice. */
  stop(): void {
    this.running = false;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  state(): OAuthTokenState {
    const token = this.token;
    return {
      validUntil: token ? new Date(token.expiresAt) : undefined,
      lastRefreshAt: this.lastRefreshAt === undefined ? undefined : new Date(this.lastRefreshAt),
      lastError: this.lastError?.message,
      hasValidToken: token !== undefined && this.clock.now() < token.expiresAt,
    };
  }

  private unexpiredTokenOr(error: unknown): string {
    if (this.token && this.clock.now() < this.token.expiresAt) return this.token.value;
    throw error instanceof Error ? error : new Error('no OAuth token available');
  }

  /** Single flight: every caller during a refresh awaits the same request. */
  private refreshOnce(): Promise<string> {
    this.inFlight ??= this.refresh().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async refresh(): Promise<string> {
    try {
      const token = await this.requestWithRetry();
      this.accept(token);
      return token.value;
    } catch (error) {
      throw this.recordFailure(error);
    }
  }

  private async requestWithRetry(): Promise<CachedToken> {
    const maxAttempts = this.options.maxAttempts ?? 4;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.requestOnce();
      } catch (error) {
        const failure = asTokenError(error);
        if (!failure.retryable) throw failure;
        if (attempt >= maxAttempts) throw TokenRequestError.exhausted(failure, attempt);
        await this.backOff(attempt, failure);
      }
    }
  }

  private async requestOnce(): Promise<CachedToken> {
    const requestedAt = this.clock.now();
    const { status, body } = await this.transport.post(tokenRequestForm(this.settings));

    if (status === 429 || status >= 500)
      throw TokenRequestError.unavailable(`HTTP ${status}`, status);
    if (status < 200 || status >= 300) {
      const refusal = readOAuthError(body);
      throw TokenRequestError.refused(
        status,
        this.redact(refusal.error),
        this.redact(refusal.description),
      );
    }
    return this.cache(parseTokenBody(status, body), requestedAt);
  }

  private cache(parsed: ReturnType<typeof parseTokenBody>, requestedAt: number): CachedToken {
    let lifetimeMs = tokenLifetimeMs(parsed, requestedAt);
    if (lifetimeMs === undefined) {
      this.logger.warn('OAuth token states no lifetime; assuming one', {
        assumedSeconds: UNKNOWN_LIFETIME_MS / 1000,
      });
      lifetimeMs = UNKNOWN_LIFETIME_MS;
    }
    const marginMs = this.settings.refreshMarginSeconds * 1000;
    if (lifetimeMs <= marginMs) {
      this.logger.warn('OAuth token lifetime is shorter than the refresh margin', {
        lifetimeSeconds: Math.round(lifetimeMs / 1000),
        refreshMarginSeconds: this.settings.refreshMarginSeconds,
      });
    }
    return {
      value: parsed.accessToken,
      refreshAt: requestedAt + refreshAfterMs(lifetimeMs, marginMs),
      expiresAt: requestedAt + lifetimeMs,
    };
  }

  private async backOff(attempt: number, failure: TokenRequestError): Promise<void> {
    const delayMs = Math.round(
      backoffDelayMs(
        attempt,
        this.options.retryBaseDelayMs ?? 500,
        this.options.retryMaxDelayMs ?? 8000,
      ),
    );
    this.logger.warn('OAuth token request failed; retrying', {
      attempt,
      delayMs,
      reason: failure.message,
    });
    await new Promise((resolve) => setTimeout(resolve, delayMs));
  }

  private accept(token: CachedToken): void {
    const now = this.clock.now();
    this.token = token;
    this.lastRefreshAt = now;
    this.lastError = undefined;
    this.notBefore = 0;
    this.logger.log('OAuth token obtained', {
      expiresInSeconds: Math.round((token.expiresAt - now) / 1000),
      refreshInSeconds: Math.round((token.refreshAt - now) / 1000),
    });
    for (const listener of this.listeners) this.notify(listener, token.value);
  }

  private notify(listener: TokenListener, token: string): void {
    const report = (error: unknown) =>
      this.logger.error('OAuth token listener failed', { reason: this.describe(error) });
    try {
      Promise.resolve(listener(token)).catch(report);
    } catch (error) {
      report(error);
    }
  }

  private recordFailure(error: unknown): TokenRequestError {
    const failure = asTokenError(error);
    const cooldownMs = failure.retryable
      ? (this.options.unavailableCooldownMs ?? 5000)
      : (this.options.refusedCooldownMs ?? 30_000);
    this.lastError = failure;
    this.notBefore = this.clock.now() + cooldownMs;
    this.logger.error('OAuth token refresh failed', {
      reason: failure.message,
      nextAttemptInSeconds: cooldownMs / 1000,
      hasValidToken: this.token !== undefined && this.clock.now() < this.token.expiresAt,
    });
    return failure;
  }

  /**
   * Background loop: a re-armed timer rather than one long sleep until the refresh time, so a
   * process that was suspended (VM pause, laptop sleep) notices soon after it wakes up.
   */
  private arm(delayMs: number): void {
    this.timer = setTimeout(() => void this.tick(), delayMs);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    this.timer = undefined;
    if (!this.running) return;
    const now = this.clock.now();
    const due = now >= this.notBefore && (!this.token || now >= this.token.refreshAt);
    // A failure has been recorded and logged by refresh(); the loop just tries again later.
    if (due) await this.getToken().catch(() => undefined);
    if (this.running) this.arm(this.nextCheckDelayMs());
  }

  private nextCheckDelayMs(): number {
    const now = this.clock.now();
    const dueAt = Math.max(this.notBefore, this.token?.refreshAt ?? now);
    const maxCheckMs = Math.max(1000, (this.settings.refreshMarginSeconds * 1000) / 2);
    return Math.min(maxCheckMs, Math.max(MIN_CHECK_MS, dueAt - now));
  }

  /** Server text is echoed in errors; make sure it cannot echo a credential or token back. */
  private redact(text: string | undefined): string | undefined {
    const secrets = [this.settings.password, this.settings.clientSecret, this.token?.value];
    return text === undefined ? undefined : redactSecrets(text, secrets);
  }

  private describe(error: unknown): string {
    const message = error instanceof Error ? error.message : String(error);
    return this.redact(message) ?? '';
  }
}

function asTokenError(error: unknown): TokenRequestError {
  if (error instanceof TokenRequestError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return TokenRequestError.unavailable(message);
}
