import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { lockRoutingKey } from '../../src/events/rabbit-monitor-events';
import { runMonitorCommand, waitFor } from '../http/support/monitor-process';
import { metricSamples } from '../http/support/prometheus-text';
import { OAuthRig, TOKEN_LIFETIME_SECONDS } from './support/oauth-rig';

/**
 * One monitor with HA on, authenticating to its own RabbitMQ node with 10 s OAuth tokens.
 * Issue 5, criteria 2-4, and issue 7, criterion 2 (no secret in any output).
 */
jest.setTimeout(150_000);

const suffix = randomBytes(3).toString('hex');
const HOLD = `oauth-hold-${suffix}`;
const DOWN = `oauth-down-${suffix}`;
const REFUSED = `oauth-refused-${suffix}`;
const SECRETS = `oauth-secrets-${suffix}`;

describe('OAuth end to end: a monitor on an OAuth-only broker with 10 s tokens', () => {
  let rig: OAuthRig;

  beforeAll(async () => {
    rig = await OAuthRig.create([HOLD, DOWN, REFUSED, SECRETS]);
    await rig.startMonitor(`oauth-e2e-${suffix}`);
    await rig.monitor.waitUntil(
      async () => (await rig.monitor.get('/health/ready')).status === 200,
      20_000,
      'ready',
    );
  });

  afterAll(async () => {
    await rig?.cleanup();
  });

  async function lockLost(): Promise<Map<string, number>> {
    return metricSamples((await rig.monitor.get('/metrics')).body, 'dorc_monitor_locks_lost_total');
  }

  it('holds a lock through three token lifetimes without ever losing it', async () => {
    const tap = await rig.tap();
    const tokensBefore = rig.tokens.requestCount;
    const id = await rig.harness.submit(HOLD, ['sleep'], { properties: { SleepSeconds: '35' } });
    const acquired = await rig.acquired(HOLD);
    const probe = await rig.probe(HOLD);

    expect(await heldEnvironments()).toContain(HOLD);
    const metrics = (await rig.monitor.get('/metrics')).body;
    const toExpiry = metricSamples(metrics, 'dorc_monitor_token_seconds_to_expiry').get('') ?? -1;
    expect(toExpiry).toBeGreaterThan(0);
    expect(toExpiry).toBeLessThanOrEqual(TOKEN_LIFETIME_SECONDS);
    expect(metrics).toContain(`dorc_monitor_locks_held{environment="${HOLD}"} 1`);
    const row = await rig.harness.waitFinal(id, 60_000);
    const finished = await rig.monitor.waitForLog(
      (l) => l.msg === 'Deployment request finished' && l.requestId === id,
      5000,
      'finish',
    );
    await probe.stop();

    expect(row.status).toBe('Completed');
    const during = probe.results(acquired.time, finished.time - 50);
    expect(finished.time - acquired.time).toBeGreaterThan(3 * TOKEN_LIFETIME_SECONDS * 1000);
    expect(during.length).toBeGreaterThanOrEqual(30);
    expect(during.filter((s) => s.result !== 'busy')).toEqual([]);
    expect(rig.tokens.requestCount - tokensBefore).toBeGreaterThanOrEqual(3);
    expect([...(await lockLost()).values()].filter((v) => v > 0)).toEqual([]);
    expect(rig.monitor.logs().filter((l) => l.msg === 'Distributed lock lost')).toEqual([]);
    // The messaging connection renews its token too: events still flow after three lifetimes.
    await waitFor(
      () => tap.find(lockRoutingKey(HOLD, 'released')) !== undefined,
      5000,
      'the release event',
    );
    expect(tap.find(lockRoutingKey(HOLD, 'acquired'))).toBeDefined();
    expect(messagingTrouble()).toEqual([]);
  });

  it('keeps working while the token endpoint is down, turns unready before the token expires, and recovers', async () => {
    const id = await rig.harness.submit(DOWN, ['sleep'], { properties: { SleepSeconds: '25' } });
    const acquired = await rig.acquired(DOWN);
    const probe = await rig.probe(DOWN);

    await rig.tokens.goDown();
    const unready = await waitForReadiness(503, 20_000);
    const token = unready.details.token;
    expect(token.status).toBe('down');
    expect(unready.details.lock.status).toBe('up');
    expect(token.secondsToExpiry).toBeGreaterThanOrEqual(1);
    expect(unready.at).toBeLessThan(Date.parse(token.validUntil));
    expect((await rig.harness.request(id)).status).toBe('Running');

    await waitFor(() => Date.now() > Date.parse(token.validUntil) + 1500, 15_000, 'token expiry');
    expect(await heldEnvironments()).toContain(DOWN);
    await rig.tokens.comeBack();
    const ready = await waitForReadiness(200, 30_000);
    const row = await rig.harness.waitFinal(id, 40_000);
    const finished = await rig.monitor.waitForLog(
      (l) => l.msg === 'Deployment request finished' && l.requestId === id,
      5000,
      'finish',
    );
    await probe.stop();

    expect(ready.details.token.status).toBe('up');
    expect(row.status).toBe('Completed');
    expect(
      probe.results(acquired.time, finished.time - 50).filter((s) => s.result !== 'busy'),
    ).toEqual([]);
    expect([...(await lockLost()).values()].filter((v) => v > 0)).toEqual([]);
  });

  it('reports the lock lost within a bounded time when the broker refuses a renewed token, then recovers', async () => {
    const id = await rig.harness.submit(REFUSED, ['sleep'], { properties: { SleepSeconds: '20' } });
    await rig.acquired(REFUSED);
    const probe = await rig.probe(REFUSED);

    rig.tokens.issueRefusedTokens('wrong-audience');
    const switchedAt = Date.now();
    const lost = await rig.monitor.waitForLog(
      (l) => l.msg === 'Distributed lock lost' && l.environment === REFUSED,
      20_000,
      'lock lost',
    );
    await waitFor(
      () => probe.results(lost.time).some((s) => s.result === 'free'),
      5000,
      'the lock to be free',
    );
    rig.tokens.issueRefusedTokens(undefined);

    expect(lost.reason).toBe('token-refused');
    expect(lost.time - switchedAt).toBeLessThan(15_000);
    expect((await lockLost()).get('{reason="token-refused"}')).toBe(1);
    await waitForReadiness(200, 40_000);
    await rig.harness.waitFinal(id, 40_000);
  });

  it('never shows the password, the client secret or any issued token in logs or HTTP answers', async () => {
    const id = await rig.harness.submit(SECRETS, ['sleep'], { properties: { SleepSeconds: '1' } });
    await rig.harness.waitFinal(id, 20_000);
    for (const path of [
      '/health',
      '/health/live',
      '/health/ready',
      '/locks',
      '/locks/cluster',
      '/metrics',
      '/openapi.json',
      '/docs',
    ]) {
      await rig.monitor.get(path);
    }
    const config = await runMonitorCommand(['config', '--config', rig.monitor.configFile], rig.dir);
    expect(await rig.monitor.stop()).toBe(0);

    const settingsFile = readFileSync(rig.monitor.configFile, 'utf8');
    expect(settingsFile).toContain(rig.tokens.password);
    expect(settingsFile).toContain(rig.tokens.clientSecret);
    expect(config.code).toBe(0);
    expect(config.output).toContain('TokenEndpoint');
    expect(rig.tokens.issuedTokens.length).toBeGreaterThan(8);
    expect(rig.monitor.output.length).toBeGreaterThan(50);
    const texts = [
      ...rig.monitor.output.map((text, i) => ({ where: `log line ${i}`, text })),
      ...rig.monitor.answers.map((a) => ({ where: `GET ${a.path} (${a.status})`, text: a.body })),
      { where: 'config command', text: config.output },
    ];
    expect(leaks(texts)).toEqual([]);
    // The search itself works: a token inside a line is found.
    expect(leaks([{ where: 'control', text: `x${rig.tokens.issuedTokens[0]}x` }])).not.toEqual([]);
  });

  /** Where each secret appears, named but never quoted. */
  function leaks(texts: Array<{ where: string; text: string }>): string[] {
    const secrets = [
      { name: 'password', value: rig.tokens.password },
      { name: 'client secret', value: rig.tokens.clientSecret ?? '' },
      ...rig.tokens.issuedTokens.flatMap((token, i) => [
        { name: `token ${i}`, value: token },
        { name: `token ${i} payload and signature`, value: token.split('.').slice(1).join('.') },
        { name: `token ${i} signature`, value: token.split('.')[2] },
      ]),
    ];
    return texts.flatMap(({ where, text }) =>
      secrets.filter((s) => text.includes(s.value)).map((s) => `${s.name} in ${where}`),
    );
  }

  async function waitForReadiness(status: number, timeoutMs: number) {
    let body: ReadinessBody | undefined;
    await waitFor(
      async () => {
        const answer = await rig.monitor.get('/health/ready');
        if (answer.status === status)
          body = { ...(JSON.parse(answer.body) as ReadinessBody), at: Date.now() };
        return body !== undefined;
      },
      timeoutMs,
      `readiness ${status}`,
      200,
    );
    return body as ReadinessBody;
  }

  /** Lines where the events connection lost its channel or connection. */
  function messagingTrouble(): string[] {
    const trouble =
      /Disconnected from RabbitMQ|Failed to setup a RabbitMQ channel|renew the token on the messaging/;
    return rig.monitor
      .logs()
      .filter((l) => trouble.test(l.msg))
      .map((l) => l.msg);
  }

  async function heldEnvironments(): Promise<string[]> {
    const locks = await rig.monitor.getJson<{ locks: Array<{ environment: string }> }>('/locks');
    return locks.locks.map((l) => l.environment);
  }
});

interface ReadinessBody {
  at: number;
  details: Record<string, { status: string; validUntil: string; secondsToExpiry: number }>;
}
