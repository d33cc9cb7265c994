import { OAuthTokenClient } from '../../src/oauth/oauth-token.client';
import { TokenServer } from '../support/token-server';
import { CapturingLogger } from './capturing-logger';
import { FAST_RETRY, settingsFor, waitFor } from './oauth-settings.fixture';

describe('OAuthTokenClient never reveals a secret', () => {
  const clientSecret = 'client-secret-Zq81';
  const wrongPassword = 'wrong-password-Xy73';
  let server: TokenServer;
  let logger: CapturingLogger;
  const tokens: string[] = [];
  const errors: string[] = [];
  const states: string[] = [];

  beforeAll(async () => {
    server = await TokenServer.start({ clientSecret, lifetimeSeconds: 3 });
    logger = new CapturingLogger();
    await runEveryPath();
  });

  afterAll(async () => {
    await server.stop();
  });

  async function attempt(client: OAuthTokenClient): Promise<void> {
    await client.getToken().then(
      (token) => tokens.push(token),
      (error: Error) => errors.push(error.message, String(error.stack)),
    );
    states.push(JSON.stringify(client.state()));
  }

  async function runEveryPath(): Promise<void> {
    const good = new OAuthTokenClient(settingsFor(server, { clientSecret }), {
      logger,
      ...FAST_RETRY,
    });
    good.onToken((token) => {
      tokens.push(token);
      throw new Error(`listener rejected ${token}`);
    });
    good.start();
    await waitFor(() => tokens.length >= 2, 5000);
    good.stop();

    server.failNext(2, 500);
    await attempt(good);
    const wrong = settingsFor(server, { clientSecret, password: wrongPassword });
    await attempt(new OAuthTokenClient(wrong, { logger, ...FAST_RETRY }));
    const badSecret = settingsFor(server, { clientSecret: `${clientSecret}-old` });
    await attempt(new OAuthTokenClient(badSecret, { logger, ...FAST_RETRY }));

    server.delayResponses(2000);
    const slow = settingsFor(server, { clientSecret, requestTimeoutSeconds: 0.3 });
    await attempt(new OAuthTokenClient(slow, { logger, maxAttempts: 2, ...FAST_RETRY }));
    server.delayResponses(0);
    await server.goDown();
    await attempt(
      new OAuthTokenClient(settingsFor(server, { clientSecret }), { logger, ...FAST_RETRY }),
    );
  }

  function secrets(): string[] {
    return [server.password, wrongPassword, clientSecret, ...tokens];
  }

  it('exercised success, retries, refusals, timeouts and outages', () => {
    expect(tokens.length).toBeGreaterThanOrEqual(2);
    expect(logger.messages('warn').length).toBeGreaterThanOrEqual(2);
    expect(logger.messages('error')).toEqual(
      expect.arrayContaining(['OAuth token listener failed']),
    );
    expect(errors.join('\n')).toMatch(/invalid_grant/);
    expect(errors.join('\n')).toMatch(/invalid_client/);
    expect(errors.join('\n')).toMatch(/timed out/);
    expect(errors.join('\n')).toMatch(/ECONNREFUSED/);
  });

  it('logs no password, client secret or token', () => {
    const text = logger.text();
    for (const secret of secrets()) expect(text).not.toContain(secret);
  });

  it('puts no password, client secret or token into error messages', () => {
    const text = errors.join('\n');
    for (const secret of secrets()) expect(text).not.toContain(secret);
  });

  it('shows no token in state()', () => {
    const text = states.join('\n');
    for (const secret of secrets()) expect(text).not.toContain(secret);
  });

  it('logs the token endpoint without the user info or query string it may carry', async () => {
    const withSecrets = new URL(server.url);
    withSecrets.username = 'endpoint-user-K4';
    withSecrets.password = 'endpoint-pass-Q5';
    withSecrets.search = '?key=endpoint-key-W2';
    const own = new CapturingLogger();
    const client = new OAuthTokenClient(
      settingsFor(server, { tokenEndpoint: withSecrets.toString() }),
      { logger: own, ...FAST_RETRY },
    );
    client.start();
    await waitFor(() => own.messages('warn').length > 0, 5000);
    client.stop();

    const started = own.lines.find((l) => l.message === 'OAuth token refresher started');
    expect(started?.fields?.endpoint).toBe(`${withSecrets.origin}${withSecrets.pathname}`);
    for (const secret of ['endpoint-user-K4', 'endpoint-pass-Q5', 'endpoint-key-W2']) {
      expect(own.text()).not.toContain(secret);
    }
  });
});
