import * as amqp from 'amqplib';
import { randomBytes } from 'node:crypto';
import { OAuthTokenClient } from '../../src/oauth/oauth-token.client';
import { BrokerNode, startBrokerNode } from '../support/broker-node';
import { TokenServer } from '../support/token-server';
import { decodePayload, settingsFor, waitFor } from './oauth-settings.fixture';

/** The HA guide's scope style, which RabbitMQ 3.10 accepts only through `scope_aliases`. */
const GUIDE_SCOPE = 'rabbitmq:configure:* rabbitmq:read:* rabbitmq:write:*';
const SCOPE_ALIASES = {
  'rabbitmq:configure:*': ['rabbitmq.configure:*/*'],
  'rabbitmq:read:*': ['rabbitmq.read:*/*/*'],
  'rabbitmq:write:*': ['rabbitmq.write:*/*/*'],
};

jest.setTimeout(120_000);

describe('RabbitMQ 3.10 with the OAuth 2.0 backend', () => {
  let tokens: TokenServer;
  let broker: BrokerNode;
  const open: amqp.ChannelModel[] = [];

  beforeAll(async () => {
    tokens = await TokenServer.start({ lifetimeSeconds: 60 });
    broker = await startBrokerNode({
      oauth: { publicKeyPem: tokens.publicKeyPem, kid: tokens.kid, scopeAliases: SCOPE_ALIASES },
    });
  });

  afterAll(async () => {
    await Promise.all(open.splice(0).map((c) => c.close().catch(() => undefined)));
    await broker?.stop();
    await tokens?.stop();
  });

  /** Empty user name, the JWT as password: how the OAuth backend expects tokens over AMQP. */
  async function connect(jwt: string): Promise<amqp.ChannelModel> {
    const credentials = amqp.credentials.plain('', jwt);
    const connection = await amqp.connect(broker.url, { credentials, noDelay: true });
    connection.on('error', () => undefined);
    open.push(connection);
    return connection;
  }

  async function channelOf(connection: amqp.ChannelModel): Promise<amqp.Channel> {
    const channel = await connection.createChannel();
    channel.on('error', () => undefined); // a refused declare closes only this channel
    return channel;
  }

  function lockQueue(): string {
    return `dorc.lock.env:oauth-test-${randomBytes(4).toString('hex')}`;
  }

  it('accepts a token from the token endpoint as the password and lets it declare a queue', async () => {
    const jwt = await new OAuthTokenClient(settingsFor(tokens)).getToken();
    const channel = await channelOf(await connect(jwt));
    const queue = lockQueue();

    await expect(channel.assertQueue(queue, { exclusive: true })).resolves.toMatchObject({ queue });
    await channel.deleteQueue(queue);
  });

  it('refuses a token signed by a key it does not know', async () => {
    const stranger = await TokenServer.start();
    try {
      await expect(connect(stranger.issueToken())).rejects.toThrow(/ACCESS_REFUSED|403/);
    } finally {
      await stranger.stop();
    }
  });

  it('denies a declare the token has no configure scope for', async () => {
    const channel = await channelOf(
      await connect(tokens.issueToken({ scope: 'rabbitmq.read:*/*/*' })),
    );

    await expect(channel.assertQueue(lockQueue(), { exclusive: true })).rejects.toThrow(
      /ACCESS_REFUSED/,
    );
  });

  it('renews the secret on the live connection and keeps its exclusive queue', async () => {
    const holder = await connect(tokens.issueToken());
    const channel = await channelOf(holder);
    const queue = lockQueue();
    await channel.assertQueue(queue, { exclusive: true });
    let closed = false;
    holder.on('close', () => (closed = true));

    await holder.updateSecret(Buffer.from(tokens.issueToken()), 'refresh');

    expect(closed).toBe(false);
    await expect(channel.checkQueue(queue)).resolves.toMatchObject({ queue });
    const rival = await channelOf(await connect(tokens.issueToken()));
    await expect(rival.assertQueue(queue, { exclusive: true })).rejects.toThrow(/RESOURCE_LOCKED/);
    await channel.deleteQueue(queue);
  });

  it('keeps a connection usable past the first token expiry when the client renews it', async () => {
    tokens.setLifetime(4);
    const client = new OAuthTokenClient(settingsFor(tokens, { refreshMarginSeconds: 2 }));
    try {
      const first = await client.getToken();
      const renewed = await connect(first);
      const stale = await connect(first);
      const renewals: Promise<void>[] = [];
      client.onToken(
        (jwt) => void renewals.push(renewed.updateSecret(Buffer.from(jwt), 'refresh')),
      );
      client.start();

      const firstExpiry = (decodePayload(first).exp as number) * 1000;
      await waitFor(() => Date.now() > firstExpiry + 1000, 10_000);
      await Promise.all(renewals);

      expect(renewals.length).toBeGreaterThan(0);
      const queue = lockQueue();
      const staleChannel = await channelOf(stale);
      await expect(staleChannel.assertQueue(queue)).rejects.toThrow(/ACCESS_REFUSED/);
      const channel = await channelOf(renewed);
      await expect(channel.assertQueue(queue, { exclusive: true })).resolves.toMatchObject({
        queue,
      });
      await channel.deleteQueue(queue);
    } finally {
      client.stop();
      tokens.setLifetime(60);
    }
  });

  it('accepts the guide scope style through scope_aliases', async () => {
    const channel = await channelOf(await connect(tokens.issueToken({ scope: GUIDE_SCOPE })));
    const queue = lockQueue();

    await channel.assertQueue(queue, { exclusive: true });
    expect(channel.sendToQueue(queue, Buffer.from('ping'))).toBe(true);
    await expect(channel.checkQueue(queue)).resolves.toMatchObject({ queue });
    await channel.deleteQueue(queue);
    // The aliases map to three-part read and write scopes, which cover the events exchange.
    expect(await topicRoundTrip(GUIDE_SCOPE, 'lock.Production.released')).toBe('delivered');
  });

  it('grants nothing for a guide-style scope that has no alias', async () => {
    const scope = 'rabbitmq:configure:dorc rabbitmq:read:* rabbitmq:write:*';
    const channel = await channelOf(await connect(tokens.issueToken({ scope })));

    await expect(channel.assertQueue(lockQueue(), { exclusive: true })).rejects.toThrow(
      /ACCESS_REFUSED/,
    );
  });

  it('lets a token narrowed to lock queues take and release a lock, and nothing else', async () => {
    const scope = 'rabbitmq.configure:*/dorc.lock.env:* rabbitmq.read:*/dorc.lock.env:*';
    const connection = await connect(tokens.issueToken({ scope }));
    const channel = await channelOf(connection);
    const queue = lockQueue();

    await expect(channel.assertQueue(queue, { exclusive: true })).resolves.toMatchObject({ queue });
    await expect(channel.deleteQueue(queue)).resolves.toBeDefined();
    const other = await channelOf(connection);
    await expect(other.assertQueue(`dorc.other-${randomBytes(4).toString('hex')}`)).rejects.toThrow(
      /ACCESS_REFUSED/,
    );
  });

  /**
   * Binds a queue to a fresh topic exchange with `routingKey`, publishes one message with that
   * key and says whether it arrived, or what the broker refused.
   */
  async function topicRoundTrip(
    scope: string,
    routingKey: string,
    exchange = `dorc.events.test-${randomBytes(4).toString('hex')}`,
  ): Promise<string> {
    const channel = await channelOf(await connect(tokens.issueToken({ scope })));
    try {
      await channel.assertExchange(exchange, 'topic', { durable: false, autoDelete: true });
      const { queue } = await channel.assertQueue('', { exclusive: true });
      await channel.bindQueue(queue, exchange, routingKey);
      const arrived = new Promise<string>((resolve) => {
        void channel.consume(queue, (m) => m && resolve('delivered'), { noAck: true });
      });
      channel.publish(exchange, routingKey, Buffer.from('{}'));
      return await Promise.race([arrived, new Promise<string>((r) => setTimeout(r, 3000, 'lost'))]);
    } catch (error) {
      return /ACCESS_REFUSED/.test(String(error)) ? 'refused' : String(error);
    }
  }

  it('checks topic permissions on a topic exchange: two-part read and write scopes are refused', async () => {
    const twoPart = 'rabbitmq.configure:*/* rabbitmq.read:*/* rabbitmq.write:*/*';
    const threePart = 'rabbitmq.configure:*/* rabbitmq.read:*/*/* rabbitmq.write:*/*/*';
    const locksOnly = 'rabbitmq.configure:*/* rabbitmq.read:*/*/lock.* rabbitmq.write:*/*/lock.*';

    expect(await topicRoundTrip(twoPart, 'lock.Production.released')).toBe('refused');
    expect(await topicRoundTrip(threePart, 'lock.Production.released')).toBe('delivered');
    expect(await topicRoundTrip(threePart, 'request.42.Completed')).toBe('delivered');
    expect(await topicRoundTrip(locksOnly, 'lock.Production.released')).toBe('delivered');
    expect(await topicRoundTrip(locksOnly, 'request.42.Completed')).toBe('refused');
  });

  it('lets the narrow event scopes of docs/rabbitmq-oauth.md use dorc.events', async () => {
    const lacking =
      'rabbitmq.configure:*/* rabbitmq.read:*/dorc.events/* rabbitmq.write:*/dorc.events/*';
    const narrow = `${lacking} rabbitmq.read:*/amq.gen-* rabbitmq.write:*/amq.gen-*`;

    // Binding its server-named queue also needs write on the queue, and consuming needs read.
    expect(await topicRoundTrip(lacking, 'lock.Production.released', 'dorc.events')).toBe(
      'refused',
    );
    expect(await topicRoundTrip(narrow, 'lock.Production.released', 'dorc.events')).toBe(
      'delivered',
    );
    expect(await topicRoundTrip(narrow, 'request.42.Completed', 'dorc.events')).toBe('delivered');
  });
});
