import { readFileSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import { rootCertificates } from 'node:tls';
import { TokenRequestError } from './token-request.error';

/** The raw answer of the token endpoint. */
export interface TokenHttpResponse {
  status: number;
  body: string;
}

export interface TokenEndpointTransportOptions {
  endpoint: string;
  timeoutMs: number;
  /** PEM bundle trusted in addition to the system CAs. */
  caFile?: string;
}

/** A token answer is a few KB; anything far larger is not a token answer. */
const MAX_BODY_BYTES = 1024 * 1024;

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * One form POST to the token endpoint, with a deadline for the whole exchange. TLS certificates
 * are always verified. Plain http is accepted only for loopback (a sidecar or a test server),
 * because the form carries the service account's password.
 */
export class TokenEndpointTransport {
  private readonly url: URL;
  private readonly ca?: string[];

  constructor(private readonly options: TokenEndpointTransportOptions) {
    this.url = parseEndpoint(options.endpoint);
    if (options.caFile) this.ca = [...rootCertificates, readCaFile(options.caFile)];
  }

  /** The endpoint without user info or query, fit for logs. */
  get displayName(): string {
    return `${this.url.origin}${this.url.pathname}`;
  }

  post(form: URLSearchParams): Promise<TokenHttpResponse> {
    const body = Buffer.from(form.toString());
    return new Promise((resolve, reject) => {
      const request = this.open(body.length, resolve, reject);
      const timer = setTimeout(() => {
        const seconds = this.options.timeoutMs / 1000;
        // Settle first, so the caller sees the timeout rather than the reset that destroy causes.
        reject(TokenRequestError.unavailable(`request timed out after ${seconds} s`));
        request.destroy();
      }, this.options.timeoutMs);
      request.once('close', () => clearTimeout(timer));
      request.end(body);
    });
  }

  private open(
    length: number,
    resolve: (response: TokenHttpResponse) => void,
    reject: (error: Error) => void,
  ): http.ClientRequest {
    const headers = {
      'content-type': 'application/x-www-form-urlencoded',
      'content-length': String(length),
      accept: 'application/json',
    };
    const settings = { method: 'POST', headers, agent: false as const, ca: this.ca };
    const client = this.url.protocol === 'https:' ? https : http;
    const request = client.request(this.url, settings, (response) => {
      readBody(response).then(resolve, reject);
    });
    request.on('error', (error) => reject(asUnavailable(error)));
    return request;
  }
}

function readBody(response: http.IncomingMessage): Promise<TokenHttpResponse> {
  const status = response.statusCode ?? 0;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    response.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    response.on('error', (error) => reject(asUnavailable(error)));
    response.once('end', () => {
      if (size > MAX_BODY_BYTES)
        reject(TokenRequestError.invalidResponse('body too large', status));
      else resolve({ status, body: Buffer.concat(chunks).toString('utf8') });
    });
  });
}

function asUnavailable(error: Error): TokenRequestError {
  if (error instanceof TokenRequestError) return error;
  return TokenRequestError.unavailable(error.message);
}

function parseEndpoint(endpoint: string): URL {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new Error('OAuth token endpoint is not a valid URL');
  }
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)) return url;
  throw new Error('OAuth token endpoint must use https (plain http only on loopback)');
}

function readCaFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new Error(`OAuth CA file ${path} cannot be read: ${code}`);
  }
}
