import { randomBytes } from 'node:crypto';
import { lockRoutingKey, requestRoutingKey } from '../../src/events/rabbit-monitor-events';
import { waitFor } from '../http/support/monitor-process';
import { metricSamples } from '../http/support/prometheus-text';
import { OAuthRig } from './support/oauth-rig';

/**
 * The events exchange `dorc.events` is a topic exchange, on which RabbitMQ's OAuth backend checks
 * topic permissions. Issue 4 (events) and issue 5 (scopes): with three-part scopes every event
 * arrives under its documented routing key; with the two-part scopes that suffice for locks the
 * monitor still deploys, keeps its locks and says once which scope is missing.
 */
jest.setTimeout(150_000);

const suffix = randomBytes(3).toString('hex');

describe('events on the topic exchange dorc.events with OAuth scopes', () => {
  let rig: OAuthRig | undefined;

  afterEach(async () => {
    await rig?.cleanup();
    rig = undefined;
  });

  it('publishes lock and request events under their routing keys with three-part scopes', async () => {
    // Dots make the environment span several words of the routing key.
    const env = `eu.prod.${suffix}`;
    rig = await OAuthRig.create([env]);
    const tap = await rig.tap();
    const monitor = await rig.startMonitor(`events-3-${suffix}`);
    await monitor.waitUntil(
      async () => (await monitor.get('/health/ready')).status === 200,
      20_000,
      'ready',
    );

    const id = await rig.harness.submit(env, ['sleep'], { properties: { SleepSeconds: '1' } });
    expect((await rig.harness.waitFinal(id, 30_000)).status).toBe('Completed');
    const keys = [
      lockRoutingKey(env, 'acquired'),
      requestRoutingKey(id, 'Running'),
      requestRoutingKey(id, 'Completed'),
      lockRoutingKey(env, 'released'),
    ];
    await waitFor(() => keys.every((k) => tap.find(k)), 10_000, 'every event');

    expect(keys[0]).toBe(`lock.eu.prod.${suffix}.acquired`);
    expect(tap.find(keys[2])?.body).toMatchObject({
      requestId: id,
      status: 'Completed',
      environment: env,
    });
    expect(tap.find(keys[3])?.body).toMatchObject({
      environment: env,
      event: 'released',
      monitorId: monitor.monitorId,
    });
    const order = keys.map((k) => tap.events.findIndex((e) => e.routingKey === k));
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(monitor.logs().filter((l) => l.level >= 40 && /event/i.test(l.msg))).toEqual([]);
  });

  it('keeps deploying with two-part scopes and names the missing topic scope once', async () => {
    const env = `two-part-${suffix}`;
    rig = await OAuthRig.create([env], {
      scope: 'rabbitmq.configure:*/* rabbitmq.read:*/* rabbitmq.write:*/*',
    });
    const monitor = await rig.startMonitor(`events-2-${suffix}`);
    await monitor.waitUntil(
      async () => (await monitor.get('/health/ready')).status === 200,
      20_000,
      'ready',
    );

    const ids: number[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push(await rig.harness.submit(env, ['sleep'], { properties: { SleepSeconds: '0' } }));
    }
    for (const id of ids)
      expect((await rig.harness.waitFinal(id, 30_000)).status).toBe('Completed');

    const refused = monitor
      .logs()
      .filter((l) => l.msg === 'The broker refused an event; publishing events is paused');
    expect(refused).toHaveLength(1);
    expect(String(refused[0].hint)).toContain('rabbitmq.write:*/dorc.events/*');
    const unsubscribed = monitor
      .logs()
      .filter((l) => l.msg.startsWith('Lock release events unavailable'));
    expect(unsubscribed.length).toBeGreaterThanOrEqual(1);
    // The refusal closes only the publishing channel, never the messaging connection.
    expect(monitor.logs().filter((l) => l.msg.startsWith('Disconnected from RabbitMQ'))).toEqual(
      [],
    );
    expect((await monitor.get('/health/ready')).status).toBe(200);
    const lost = metricSamples(
      (await monitor.get('/metrics')).body,
      'dorc_monitor_locks_lost_total',
    );
    expect([...lost.values()].filter((v) => v > 0)).toEqual([]);
  });
});
