export type OAuthLogFields = Record<string, unknown>;

/** The logger shape the client needs; `AppLogger` fits. */
export interface OAuthLogger {
  log(message: string, fields?: OAuthLogFields): void;
  warn(message: string, fields?: OAuthLogFields): void;
  debug(message: string, fields?: OAuthLogFields): void;
  error(message: string, fields?: OAuthLogFields): void;
}

/** Milliseconds since the epoch; replaceable in tests. */
export interface OAuthClock {
  now(): number;
}

export interface OAuthTokenClientOptions {
  logger?: OAuthLogger;
  clock?: OAuthClock;
  /** Requests per refresh on network errors, timeouts, 429 and 5xx. Default 4. */
  maxAttempts?: number;
  /** Wait before the second attempt; doubles each time, with jitter. Default 500 ms. */
  retryBaseDelayMs?: number;
  /** Longest wait between attempts. Default 8000 ms. */
  retryMaxDelayMs?: number;
  /** No new request for this long after a refusal (4xx or unusable answer). Default 30 000 ms. */
  refusedCooldownMs?: number;
  /** No new request for this long after a refresh failed every attempt. Default 5000 ms. */
  unavailableCooldownMs?: number;
}

export interface GetTokenOptions {
  /** Ask the endpoint now, ignoring the cached token and any cool-down. */
  forceRefresh?: boolean;
}

/** What the client can say about its token, without the token. */
export interface OAuthTokenState {
  validUntil?: Date;
  lastRefreshAt?: Date;
  lastError?: string;
  hasValidToken: boolean;
}

export type TokenListener = (token: string) => void | Promise<void>;
