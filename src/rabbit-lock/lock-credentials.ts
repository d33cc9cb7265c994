/**
 * Where the lock connection gets its login. Read again at every connect, so a token provider can
 * hand out a fresh JWT each time (OAuth: empty user name, the token as password).
 */
export interface LockCredentialsProvider {
  readonly mechanism: 'PLAIN';
  username(): string;
  /** Secret. May fetch (a token request); a rejection counts as a failed connect. */
  password(): Promise<string> | string;
  /** Told when the broker refused the last login (403), so the next one can use a new secret. */
  refused?(): void;
}

/** Where `tokenCredentials` gets tokens (the OAuth token client). */
export interface TokenSource {
  getToken(options?: { forceRefresh?: boolean }): Promise<string>;
}

/** The SASL object amqplib expects; `response()` is called once per connect. */
export interface AmqpSaslCredentials {
  mechanism: 'PLAIN';
  response(): Buffer;
}

/** Fixed user name and password (`AuthMode: Plain`). */
export function plainCredentials(username: string, password: string): LockCredentialsProvider {
  return { mechanism: 'PLAIN', username: () => username, password: () => password };
}

/** A broker that refuses every token gets a forced token request at most this often. */
export const FORCED_TOKEN_REFRESH_INTERVAL_MS = 30_000;

/**
 * OAuth: an empty user name and the current token as password. When the broker refused a login
 * with the very token that would be sent again (a key rotation, a token for the wrong audience),
 * a new token is fetched at once instead of repeating the refused one until its scheduled
 * refresh. Forced fetches are spaced by `FORCED_TOKEN_REFRESH_INTERVAL_MS`, so a broker that
 * refuses every token never floods the token endpoint.
 */
export function tokenCredentials(
  source: TokenSource,
  now: () => number = Date.now,
): LockCredentialsProvider {
  let lastSent: string | undefined;
  let refusedToken: string | undefined;
  let lastForcedAt = -Infinity;
  return {
    mechanism: 'PLAIN',
    username: () => '',
    refused: () => {
      refusedToken = lastSent;
    },
    password: async () => {
      let token = await source.getToken();
      if (token === refusedToken && now() - lastForcedAt >= FORCED_TOKEN_REFRESH_INTERVAL_MS) {
        lastForcedAt = now();
        token = await source.getToken({ forceRefresh: true });
      }
      lastSent = token;
      return token;
    },
  };
}

/** SASL PLAIN response: authzid (empty) NUL authcid NUL password. */
export function saslPlain(username: string, password: string): AmqpSaslCredentials {
  return {
    mechanism: 'PLAIN',
    response: () => Buffer.from(`\u0000${username}\u0000${password}`, 'utf8'),
  };
}
