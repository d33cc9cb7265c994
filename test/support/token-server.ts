import { createSign, generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import * as http from 'node:http';
import * as https from 'node:https';
import { AddressInfo } from 'node:net';

/**
 * A real OAuth 2.0 token endpoint for tests, on 127.0.0.1 and a random port. It issues RS256
 * JWTs the RabbitMQ OAuth backend accepts, and can be told to fail, stall or go away.
 *
 * JWTs are signed with node:crypto: `jose` is ESM-only and Jest on Node 20 loads tests as
 * CommonJS, so it cannot be imported here.
 */
export interface TokenServerOptions {
  userName?: string;
  password?: string;
  clientId?: string;
  /** When set, requests must carry it as `client_secret`; required for client_credentials. */
  clientSecret?: string;
  lifetimeSeconds?: number;
  /** Space-separated `scope` claim. */
  scope?: string;
  subject?: string;
  audience?: string[];
  /** Send `expires_in` in answers (default true). */
  sendExpiresIn?: boolean;
  /** Serve https with this key and certificate (PEM) instead of http. */
  tls?: { key: string; cert: string };
}

export interface TokenClaims {
  scope?: string;
  lifetimeSeconds?: number;
  audience?: string[];
  subject?: string;
}

/**
 * Tokens the broker will refuse although the endpoint answers 200: addressed to another
 * audience, or signed by a key the broker does not know (same `kid`).
 */
export type RefusedTokenKind = 'wrong-audience' | 'foreign-key';

/** Read and write with a routing-key part: the events exchange is a topic exchange. */
export const DEFAULT_SCOPE = 'rabbitmq.configure:*/* rabbitmq.read:*/*/* rabbitmq.write:*/*/*';

type Handler = (form: URLSearchParams) => { status: number; body: object };

export class TokenServer {
  /** Every form the server received, in order (tests may inspect what the client sent). */
  readonly requests: URLSearchParams[] = [];
  /** Every token this server minted (answered or `issueToken`), so tests can look for leaks. */
  readonly issuedTokens: string[] = [];
  /** `kid` header of issued tokens; the broker's `auth_oauth2.default_key`. */
  readonly kid = `test-key-${randomBytes(4).toString('hex')}`;
  readonly publicKeyPem: string;
  private readonly privateKeyPem: string;
  private readonly server: http.Server;
  private port = 0;
  private failuresLeft = 0;
  private failureStatus = 500;
  private delayMs = 0;
  private refusedKind?: RefusedTokenKind;
  private foreignKeyPem?: string;
  private readonly pending = new Set<NodeJS.Timeout>();
  private readonly options: Required<Omit<TokenServerOptions, 'tls' | 'clientSecret'>> &
    TokenServerOptions;

  private constructor(options: TokenServerOptions) {
    this.options = {
      userName: 'svc-dorc-monitor',
      password: `pw-${randomBytes(6).toString('hex')}`,
      clientId: 'dorc-monitor',
      lifetimeSeconds: 60,
      scope: DEFAULT_SCOPE,
      subject: 'svc-dorc-monitor',
      audience: ['rabbitmq'],
      sendExpiresIn: true,
      ...options,
    };
    const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.publicKeyPem = keys.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    this.privateKeyPem = keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const listener = (req: http.IncomingMessage, res: http.ServerResponse) => this.serve(req, res);
    this.server = options.tls
      ? https.createServer(options.tls, listener)
      : http.createServer(listener);
  }

  static async start(options: TokenServerOptions = {}): Promise<TokenServer> {
    const server = new TokenServer(options);
    await server.listen(0);
    return server;
  }

  /** The token endpoint URL. */
  get url(): string {
    const scheme = this.options.tls ? 'https' : 'http';
    return `${scheme}://127.0.0.1:${this.port}/oauth/token`;
  }

  get requestCount(): number {
    return this.requests.length;
  }

  get userName(): string {
    return this.options.userName;
  }

  get password(): string {
    return this.options.password;
  }

  get clientId(): string {
    return this.options.clientId;
  }

  get clientSecret(): string | undefined {
    return this.options.clientSecret;
  }

  /** Answer the next `count` requests with `status` (500 by default). */
  failNext(count: number, status = 500): void {
    this.failuresLeft = count;
    this.failureStatus = status;
  }

  /** Hold every answer back this long (0 to stop). */
  delayResponses(ms: number): void {
    this.delayMs = ms;
  }

  setScope(scope: string): void {
    this.options.scope = scope;
  }

  setLifetime(seconds: number): void {
    this.options.lifetimeSeconds = seconds;
  }

  /** From now on answer with tokens the broker refuses (`undefined`: good tokens again). */
  issueRefusedTokens(kind: RefusedTokenKind | undefined): void {
    this.refusedKind = kind;
  }

  /** Stop listening and drop open connections: the endpoint is down. */
  async goDown(): Promise<void> {
    for (const timer of this.pending) clearTimeout(timer);
    this.pending.clear();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  /** Listen again on the same port. */
  async comeBack(): Promise<void> {
    await this.listen(this.port);
  }

  async stop(): Promise<void> {
    if (!this.server.listening) return;
    await this.goDown();
  }

  /** Mints a token directly (not counted as a request), e.g. with another scope. */
  issueToken(claims: TokenClaims = {}): string {
    const now = Math.floor(Date.now() / 1000);
    const payload = {
      iss: `http://127.0.0.1:${this.port}`,
      sub: claims.subject ?? this.options.subject,
      aud: claims.audience ?? this.options.audience,
      scope: claims.scope ?? this.options.scope,
      iat: now,
      exp: now + (claims.lifetimeSeconds ?? this.options.lifetimeSeconds),
      jti: randomUUID(),
    };
    const header = { alg: 'RS256', typ: 'JWT', kid: this.kid };
    const signingInput = `${encode(header)}.${encode(payload)}`;
    const signature = createSign('RSA-SHA256').update(signingInput).sign(this.privateKeyPem);
    const token = `${signingInput}.${signature.toString('base64url')}`;
    this.issuedTokens.push(token);
    return token;
  }

  /** What the endpoint answers with: a good token, or one of the refused kinds. */
  private endpointToken(): string {
    if (this.refusedKind === 'wrong-audience') {
      return this.issueToken({ audience: ['not-rabbitmq'] });
    }
    if (this.refusedKind !== 'foreign-key') return this.issueToken();
    const [header, payload] = this.issueToken().split('.');
    this.foreignKeyPem ??= generateKeyPairSync('rsa', { modulusLength: 2048 })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    const signingInput = `${header}.${payload}`;
    const signature = createSign('RSA-SHA256').update(signingInput).sign(this.foreignKeyPem);
    const token = `${signingInput}.${signature.toString('base64url')}`;
    this.issuedTokens.push(token);
    return token;
  }

  private listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        this.server.off('error', reject);
        this.port = (this.server.address() as AddressInfo).port;
        resolve();
      });
    });
  }

  private serve(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      this.requests.push(form);
      const answer = this.answer(req, form);
      const timer = setTimeout(() => {
        this.pending.delete(timer);
        reply(res, answer.status, answer.body);
      }, this.delayMs);
      this.pending.add(timer);
    });
  }

  private answer(req: http.IncomingMessage, form: URLSearchParams): ReturnType<Handler> {
    if (this.failuresLeft > 0) {
      this.failuresLeft--;
      return { status: this.failureStatus, body: { error: 'server_error' } };
    }
    if (req.method !== 'POST' || req.url !== '/oauth/token') {
      return { status: 404, body: { error: 'not_found' } };
    }
    if (!req.headers['content-type']?.startsWith('application/x-www-form-urlencoded')) {
      return oauthError(400, 'invalid_request', 'Expected a form body');
    }
    return this.grant(form);
  }

  private grant(form: URLSearchParams): ReturnType<Handler> {
    const o = this.options;
    if (form.get('client_id') !== o.clientId)
      return oauthError(401, 'invalid_client', 'Unknown client');
    if (o.clientSecret !== undefined && form.get('client_secret') !== o.clientSecret) {
      return oauthError(401, 'invalid_client', 'Invalid client credentials');
    }

    const grantType = form.get('grant_type');
    if (grantType === 'client_credentials' && o.clientSecret !== undefined) return this.issued();
    if (grantType !== 'password')
      return oauthError(400, 'unsupported_grant_type', 'Grant not allowed');
    if (form.get('username') !== o.userName || form.get('password') !== o.password) {
      return oauthError(400, 'invalid_grant', 'Invalid user credentials');
    }
    return this.issued();
  }

  private issued(): ReturnType<Handler> {
    const body: Record<string, unknown> = {
      access_token: this.endpointToken(),
      token_type: 'Bearer',
      scope: this.options.scope,
    };
    if (this.options.sendExpiresIn) body.expires_in = this.options.lifetimeSeconds;
    return { status: 200, body };
  }
}

function oauthError(status: number, error: string, description: string): ReturnType<Handler> {
  return { status, body: { error, error_description: description } };
}

function reply(res: http.ServerResponse, status: number, body: object): void {
  if (res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

function encode(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
