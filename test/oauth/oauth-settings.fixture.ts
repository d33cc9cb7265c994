import { OAuthSettings } from '../../src/config/settings';
import { TokenServer } from '../support/token-server';

/** Settings that let a client log in to `server`, with short margins fit for tests. */
export function settingsFor(
  server: TokenServer,
  overrides: Partial<OAuthSettings> = {},
): OAuthSettings {
  return {
    grantType: 'password',
    tokenEndpoint: server.url,
    userName: server.userName,
    password: server.password,
    clientId: server.clientId,
    refreshMarginSeconds: 1,
    requestTimeoutSeconds: 5,
    ...overrides,
  };
}

/** A clock the test moves by hand; starts at the real time so JWT `exp` claims stay meaningful. */
export class ManualClock {
  private ms = Date.now();

  now(): number {
    return this.ms;
  }

  advance(ms: number): void {
    this.ms += ms;
  }
}

/** Fast retries so failure tests stay short. */
export const FAST_RETRY = { retryBaseDelayMs: 20, retryMaxDelayMs: 100 };

export function decodePayload(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8'));
}

export async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
