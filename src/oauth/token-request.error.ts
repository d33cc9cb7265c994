/**
 * Why a token could not be obtained:
 * - `refused`: the endpoint answered 4xx (wrong credentials, unknown client...). Retrying at once
 *   cannot help, so the client waits a cool-down first.
 * - `unavailable`: network error, timeout, 429 or 5xx on every attempt.
 * - `invalid-response`: a 2xx answer without a usable access token (wrong URL, odd server).
 */
export type TokenRequestFailure = 'refused' | 'unavailable' | 'invalid-response';

export interface TokenRequestErrorDetails {
  /** HTTP status of the last answer, when there was one. */
  status?: number;
  /** The server's OAuth `error` code, e.g. `invalid_grant`. */
  oauthError?: string;
  /** The server's `error_description`. */
  description?: string;
  /** Requests made before giving up. */
  attempts?: number;
}

/** A token request failed. The message never contains a credential or a token. */
export class TokenRequestError extends Error {
  constructor(
    readonly failure: TokenRequestFailure,
    message: string,
    readonly details: TokenRequestErrorDetails = {},
  ) {
    super(message);
    this.name = 'TokenRequestError';
  }

  /** Network trouble and server errors are worth another attempt; a refusal is not. */
  get retryable(): boolean {
    return this.failure === 'unavailable';
  }

  static refused(status: number, oauthError?: string, description?: string): TokenRequestError {
    const what = oauthError ?? `HTTP ${status}`;
    const why = description ? ` (${description})` : '';
    const message = `token endpoint refused the request: ${what}${why}`;
    return new TokenRequestError('refused', message, { status, oauthError, description });
  }

  static unavailable(reason: string, status?: number): TokenRequestError {
    return new TokenRequestError('unavailable', `token endpoint unavailable: ${reason}`, {
      status,
    });
  }

  static invalidResponse(reason: string, status: number): TokenRequestError {
    const message = `token endpoint sent an unusable response: ${reason}`;
    return new TokenRequestError('invalid-response', message, { status });
  }

  /** The same failure, reported after `attempts` tries. */
  static exhausted(last: TokenRequestError, attempts: number): TokenRequestError {
    const reason = last.message.replace(/^token endpoint unavailable: /, '');
    const message = `token endpoint unavailable after ${attempts} attempts: ${reason}`;
    return new TokenRequestError(last.failure, message, { ...last.details, attempts });
  }
}
