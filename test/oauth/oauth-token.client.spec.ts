import { OAuthTokenClient } from '../../src/oauth/oauth-token.client';
import { TokenRequestError } from '../../src/oauth/token-request.error';
import { TokenServer } from '../support/token-server';
import { CapturingLogger } from './capturing-logger';
import {
  decodePayload,
  FAST_RETRY,
  ManualClock,
  settingsFor,
  waitFor,
} from './oauth-settings.fixture';

describe('OAuthTokenClient against a real token endpoint', () => {
  let server: TokenServer;
  const clients: OAuthTokenClient[] = [];

  function track(client: OAuthTokenClient): OAuthTokenClient {
    clients.push(client);
    return client;
  }

  beforeEach(async () => {
    server = await TokenServer.start({ lifetimeSeconds: 60 });
  });

  afterEach(async () => {
    for (const client of clients.splice(0)) client.stop();
    await server.stop();
  });

  describe('caching', () => {
    it('serves the second call from the cache', async () => {
      const client = track(new OAuthTokenClient(settingsFor(server)));

      const first = await client.getToken();
      const second = await client.getToken();

      expect(second).toBe(first);
      expect(server.requestCount).toBe(1);
      expect(decodePayload(first).aud).toEqual(['rabbitmq']);
    });

    it('fetches a new token once the cached one is due for refresh', async () => {
      const clock = new ManualClock();
      const client = track(new OAuthTokenClient(settingsFor(server), { clock }));
      await client.getToken();

      clock.advance(50_000); // 60 s token, 1 s margin: due after 48 s (80 %)
      await client.getToken();

      expect(server.requestCount).toBe(2);
    });

    it('sends the password grant form with scope and, when configured, the client secret', async () => {
      await server.stop();
      server = await TokenServer.start({ clientSecret: 'client-secret-value' });
      const settings = settingsFor(server, { scope: 'a b', clientSecret: 'client-secret-value' });
      await track(new OAuthTokenClient(settings)).getToken();

      const form = Object.fromEntries(server.requests[0]);
      expect(form).toEqual({
        grant_type: 'password',
        username: server.userName,
        password: server.password,
        client_id: server.clientId,
        client_secret: 'client-secret-value',
        scope: 'a b',
      });
    });

    it('leaves out scope and client secret when they are not configured', async () => {
      await track(new OAuthTokenClient(settingsFor(server))).getToken();

      expect([...server.requests[0].keys()].sort()).toEqual([
        'client_id',
        'grant_type',
        'password',
        'username',
      ]);
    });

    it('supports the client_credentials grant', async () => {
      await server.stop();
      server = await TokenServer.start({ clientSecret: 'cc-secret' });
      const settings = settingsFor(server, {
        grantType: 'client_credentials',
        userName: undefined,
        password: undefined,
        clientSecret: 'cc-secret',
      });

      await track(new OAuthTokenClient(settings)).getToken();

      expect(Object.fromEntries(server.requests[0])).toEqual({
        grant_type: 'client_credentials',
        client_id: server.clientId,
        client_secret: 'cc-secret',
      });
    });
  });

  describe('expiry', () => {
    it('takes the lifetime from the JWT exp claim when expires_in is missing', async () => {
      await server.stop();
      server = await TokenServer.start({ lifetimeSeconds: 120, sendExpiresIn: false });
      const client = track(new OAuthTokenClient(settingsFor(server)));

      const token = await client.getToken();

      const exp = decodePayload(token).exp as number;
      const validUntil = client.state().validUntil!.getTime();
      expect(Math.abs(validUntil - exp * 1000)).toBeLessThan(1500);
    });

    it('renews in the background before the token expires and tells listeners', async () => {
      server.setLifetime(5);
      const client = track(new OAuthTokenClient(settingsFor(server, { refreshMarginSeconds: 2 })));
      const arrivals: { token: string; at: number }[] = [];
      client.onToken((token) => void arrivals.push({ token, at: Date.now() }));

      client.start();
      await waitFor(() => arrivals.length >= 2, 8000);

      const [first, second] = arrivals;
      expect(second.token).not.toBe(first.token);
      expect(second.at).toBeLessThan((decodePayload(first.token).exp as number) * 1000);
      expect(await client.getToken()).toBe(second.token);
    });

    it('does not ask again after stop()', async () => {
      server.setLifetime(2);
      const client = track(new OAuthTokenClient(settingsFor(server, { refreshMarginSeconds: 1 })));
      client.start();
      client.start();
      await waitFor(() => server.requestCount >= 1, 2000);

      client.stop();
      client.stop();
      const count = server.requestCount;
      await new Promise((resolve) => setTimeout(resolve, 2500));

      expect(server.requestCount).toBe(count);
    });
  });

  describe('single flight', () => {
    it('makes one request for 50 concurrent callers', async () => {
      server.delayResponses(200);
      const client = track(new OAuthTokenClient(settingsFor(server)));

      const tokens = await Promise.all(Array.from({ length: 50 }, () => client.getToken()));

      expect(new Set(tokens).size).toBe(1);
      expect(server.requestCount).toBe(1);
    });
  });

  describe('failures', () => {
    it('retries server errors with backoff and then succeeds', async () => {
      server.failNext(2, 503);
      const logger = new CapturingLogger();
      const client = track(new OAuthTokenClient(settingsFor(server), { logger, ...FAST_RETRY }));

      await expect(client.getToken()).resolves.toEqual(expect.any(String));

      expect(server.requestCount).toBe(3);
      const retries = logger.lines.filter((l) => l.level === 'warn');
      expect(retries.map((l) => l.fields?.attempt)).toEqual([1, 2]);
    });

    it('gives up after the configured attempts with the last reason', async () => {
      server.failNext(100, 500);
      const client = track(
        new OAuthTokenClient(settingsFor(server), { maxAttempts: 4, ...FAST_RETRY }),
      );

      const error = await client.getToken().catch((e: unknown) => e);

      expect(error).toBeInstanceOf(TokenRequestError);
      expect((error as Error).message).toBe(
        'token endpoint unavailable after 4 attempts: HTTP 500',
      );
      expect(server.requestCount).toBe(4);
    });

    it('reports invalid_grant clearly and does not retry during the cool-down', async () => {
      const clock = new ManualClock();
      const settings = settingsFor(server, { password: 'wrong-password' });
      const client = track(new OAuthTokenClient(settings, { clock, ...FAST_RETRY }));

      await expect(client.getToken()).rejects.toThrow(
        'token endpoint refused the request: invalid_grant (Invalid user credentials)',
      );
      await expect(client.getToken()).rejects.toThrow('invalid_grant');
      await expect(client.getToken()).rejects.toThrow('invalid_grant');
      expect(server.requestCount).toBe(1);
      expect(client.state()).toMatchObject({
        hasValidToken: false,
        lastError: expect.stringContaining('invalid_grant'),
      });

      clock.advance(31_000);
      await expect(client.getToken()).rejects.toThrow('invalid_grant');
      expect(server.requestCount).toBe(2);
    });

    it('asks again during the cool-down when forced', async () => {
      const settings = settingsFor(server, { clientId: 'unknown-client' });
      const client = track(new OAuthTokenClient(settings));

      const error = (await client.getToken().catch((e: unknown) => e)) as TokenRequestError;
      await expect(client.getToken({ forceRefresh: true })).rejects.toThrow('invalid_client');

      expect(error.failure).toBe('refused');
      expect(error.details).toMatchObject({ status: 401, oauthError: 'invalid_client' });
      expect(server.requestCount).toBe(2);
    });

    it('times out a stalled request within the configured time', async () => {
      server.delayResponses(5000);
      const settings = settingsFor(server, { requestTimeoutSeconds: 0.5 });
      const client = track(new OAuthTokenClient(settings, { maxAttempts: 2, ...FAST_RETRY }));
      const started = Date.now();

      await expect(client.getToken()).rejects.toThrow(
        'token endpoint unavailable after 2 attempts: request timed out after 0.5 s',
      );

      expect(Date.now() - started).toBeLessThan(2500);
      expect(server.requestCount).toBe(2);
    });

    it('keeps serving a still-valid token while the endpoint is down, then recovers', async () => {
      const clock = new ManualClock();
      const client = track(new OAuthTokenClient(settingsFor(server), { clock, ...FAST_RETRY }));
      const token = await client.getToken();
      await server.goDown();

      clock.advance(50_000); // past the refresh point, before expiry
      await expect(client.getToken()).resolves.toBe(token);
      expect(client.state()).toMatchObject({
        hasValidToken: true,
        lastError: expect.stringMatching(/ECONNREFUSED/),
      });

      await server.comeBack();
      clock.advance(6_000); // past the short cool-down after an outage
      const renewed = await client.getToken();
      expect(renewed).not.toBe(token);
      expect(client.state().lastError).toBeUndefined();
    });

    it('fails once the token has expired and the endpoint is still down', async () => {
      const clock = new ManualClock();
      const client = track(
        new OAuthTokenClient(settingsFor(server), { clock, maxAttempts: 2, ...FAST_RETRY }),
      );
      await client.getToken();
      await server.goDown();

      clock.advance(61_000);

      await expect(client.getToken()).rejects.toThrow(
        /unavailable after 2 attempts: connect ECONNREFUSED/,
      );
      expect(client.state().hasValidToken).toBe(false);
    });

    it('logs a failing listener without breaking the refresh', async () => {
      const logger = new CapturingLogger();
      const client = track(new OAuthTokenClient(settingsFor(server), { logger }));
      client.onToken(() => {
        throw new Error('listener broke');
      });
      client.onToken(async () => Promise.reject(new Error('async listener broke')));

      await expect(client.getToken()).resolves.toEqual(expect.any(String));
      await new Promise((resolve) => setImmediate(resolve));

      expect(logger.messages('error')).toEqual([
        'OAuth token listener failed',
        'OAuth token listener failed',
      ]);
    });
  });
});
