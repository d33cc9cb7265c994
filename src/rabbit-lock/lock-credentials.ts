/**
 * Where the lock connection gets its login. Read again at every connect, so a token provider can
 * hand out a fresh JWT each time (OAuth: empty user name, the token as password).
 */
export interface LockCredentialsProvider {
  readonly mechanism: 'PLAIN';
  username(): string;
  /** Secret. May fetch (a token request); a rejection counts as a failed connect. */
  password(): Promise<string> | string;
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

/** SASL PLAIN response: authzid (empty) NUL authcid NUL password. */
export function saslPlain(username: string, password: string): AmqpSaslCredentials {
  return {
    mechanism: 'PLAIN',
    response: () => Buffer.from(`\u0000${username}\u0000${password}`, 'utf8'),
  };
}
