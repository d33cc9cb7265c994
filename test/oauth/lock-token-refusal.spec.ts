import { randomBytes } from 'node:crypto';
import { OAuthTokenClient } from '../../src/oauth/oauth-token.client';
import { tokenCredentials } from '../../src/rabbit-lock/lock-credentials';
import { RabbitLockService } from '../../src/rabbit-lock/rabbit-lock.service';
import { BrokerNode, startBrokerNode } from '../support/broker-node';
import { TokenServer } from '../support/token-server';
import { settingsFor, waitFor } from './oauth-settings.fixture';

/**
 * Issue 5: a reconnect logs in with a token the broker accepts. When the broker refused the
 * cached token (here: one issued for the wrong audience), the lock connection fetches a new token
 * at once instead of repeating the refused one until its scheduled refresh, 96 s later here.
 */
jest.setTimeout(120_000);

describe('lock connection after the broker refuses its cached token', () => {
  let tokens: TokenServer;
  let broker: BrokerNode;
  let client: OAuthTokenClient;
  let lock: RabbitLockService;

  beforeAll(async () => {
    tokens = await TokenServer.start({ lifetimeSeconds: 120 });
    broker = await startBrokerNode({
      oauth: { publicKeyPem: tokens.publicKeyPem, kid: tokens.kid },
    });
  });

  afterAll(async () => {
    await lock?.close();
    client?.stop();
    await broker?.stop();
    await tokens?.stop();
  });

  it('logs in again with a new token within seconds, and locks can be taken again', async () => {
    client = new OAuthTokenClient(settingsFor(tokens, { refreshMarginSeconds: 5 }));
    lock = new RabbitLockService({
      hostname: '127.0.0.1',
      port: broker.port,
      vhost: '/',
      heartbeatSeconds: 5,
      connectionName: `refusal-${randomBytes(3).toString('hex')}`,
      credentials: tokenCredentials(client),
      reconnectMinMs: 100,
      reconnectMaxMs: 1000,
      connectTimeoutMs: 2000,
    });
    await lock.start();
    const environment = `refusal-${randomBytes(3).toString('hex')}`;
    const first = await lock.acquire(environment);
    expect(first.kind).toBe('acquired');

    // The client caches a token the broker will refuse; the endpoint then issues good ones again.
    tokens.issueRefusedTokens('wrong-audience');
    const refused = await client.getToken({ forceRefresh: true });
    tokens.issueRefusedTokens(undefined);
    const requestsBefore = tokens.requestCount;
    expect(await lock.updateSecret(refused, 5000)).toBe('failed');
    expect(first.kind === 'acquired' && first.handle.signal.aborted).toBe(true);

    const refusedAt = Date.now();
    await waitFor(() => lock.isReady(), 20_000);

    expect(Date.now() - refusedAt).toBeLessThan(20_000);
    expect(tokens.requestCount - requestsBefore).toBe(1);
    expect(await client.getToken()).not.toBe(refused);
    expect((await lock.acquire(environment)).kind).toBe('acquired');
  });

  it('asks the token endpoint at most once per interval while the broker refuses every token', async () => {
    tokens.issueRefusedTokens('wrong-audience');
    try {
      const refused = await client.getToken({ forceRefresh: true });
      const requestsBefore = tokens.requestCount;
      expect(await lock.updateSecret(refused, 5000)).toBe('failed');

      // About ten reconnect attempts (100 ms to 1 s apart), all refused.
      await new Promise((resolve) => setTimeout(resolve, 6000));

      expect(lock.isReady()).toBe(false);
      expect(lock.status().lastError).toMatch(/ACCESS.REFUSED/);
      // The first test forced a fetch 30 s ago at most: at most one more now.
      expect(tokens.requestCount - requestsBefore).toBeLessThanOrEqual(1);
    } finally {
      tokens.issueRefusedTokens(undefined);
    }
  });
});
