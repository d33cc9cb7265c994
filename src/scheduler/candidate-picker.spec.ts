import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestDatabase, withSqlite } from '../../test/support/databases';
import { loadSettings } from '../config/settings.loader';
import type { RequestStatus } from '../persistence/entities/deployment-request.entity';
import { ActiveRuns } from './active-runs';
import { CandidatePicker } from './candidate-picker';
import { MonitorRegistryStore } from './monitor-registry.store';
import { OpenRequest } from './request.store';

const NOW = 5_000_000;
const ME = 'me';
const POLL_MS = 100;

let nextId = 1;
function req(
  environment: string,
  status: RequestStatus,
  ownerId: string | null = null,
  leaseExpiresAt: number | null = null,
): OpenRequest {
  return {
    id: nextId++,
    environment,
    status,
    ownerId,
    epoch: ownerId ? 1 : null,
    leaseExpiresAt,
    nowMs: NOW,
  };
}

describe('CandidatePicker', () => {
  let db: TestDatabase;
  let registry: MonitorRegistryStore;
  let dir: string;

  beforeAll(async () => {
    db = await withSqlite();
    registry = new MonitorRegistryStore(db.dataSource);
    dir = mkdtempSync(join(tmpdir(), 'dorc-picker-'));
  });

  afterAll(async () => {
    await db.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  afterEach(async () => {
    await db.dataSource.query('DELETE FROM "Monitor"');
  });

  function picker(env: Record<string, string> = {}): CandidatePicker {
    const settings = loadSettings({
      cwd: dir,
      hostname: ME,
      env: { AppSettings__RequestProcessingIterationDelayMs: String(POLL_MS), ...env },
    });
    return new CandidatePicker(settings, registry);
  }

  function ha(more: Record<string, string> = {}): Record<string, string> {
    const prefix = 'AppSettings__HighAvailability__';
    return {
      [`${prefix}Enabled`]: 'true',
      [`${prefix}RabbitMQ__AuthMode`]: 'Plain',
      [`${prefix}RabbitMQ__UserName`]: 'guest',
      [`${prefix}RabbitMQ__Password`]: 'guest',
      ...more,
    };
  }

  it('picks environments with a startable head or an orphan, never one with a live run elsewhere', async () => {
    const rows = [
      req('Free', 'Pending'),
      req('Confirmed', 'Confirmed'),
      req('PausedHead', 'Paused'),
      req('PausedHead', 'Pending'),
      req('LiveElsewhere', 'Running', 'other', NOW + 5000),
      req('LiveElsewhere', 'Pending'),
      req('Lapsed', 'Running', 'other', NOW - 1),
      req('MineFromBefore', 'Requesting', ME, NOW + 5000),
      req('OnlyRestarting', 'Restarting', 'other', NOW + 5000),
      req('UnclaimedCancel', 'Cancelling'),
    ];
    const picked = await picker().pick(rows, ME, new ActiveRuns(), new Set());
    expect(picked.sort()).toEqual(['Confirmed', 'Free', 'Lapsed', 'MineFromBefore']);
  });

  it('leaves out environments this replica already holds or runs', async () => {
    const running = req('Running', 'Running', ME, NOW + 5000);
    const runs = new ActiveRuns();
    runs.add({
      requestId: running.id,
      environment: 'Running',
      startedAt: new Date(),
      epoch: 1,
      controller: new AbortController(),
      done: new Promise(() => undefined),
    });
    const rows = [
      req('Held', 'Pending'),
      running,
      req('Running', 'Pending'),
      req('Free', 'Pending'),
    ];
    expect(await picker().pick(rows, ME, runs, new Set(['Held']))).toEqual(['Free']);
  });

  it('keeps within MaxConcurrentDeployments, counting what it holds', async () => {
    const rows = ['A', 'B', 'C', 'D'].map((env) => req(env, 'Pending'));
    const p = picker({ AppSettings__MaxConcurrentDeployments: '3' });
    expect(await p.pick(rows, ME, new ActiveRuns(), new Set())).toHaveLength(3);
    expect(await p.pick(rows.slice(1), ME, new ActiveRuns(), new Set(['A', 'X']))).toHaveLength(1);
    expect(await p.pick(rows.slice(1), ME, new ActiveRuns(), new Set(['A', 'X', 'Y']))).toEqual([]);
  });

  it('backs an environment off until cleared', async () => {
    const rows = [req('A', 'Pending'), req('B', 'Pending')];
    const p = picker();
    p.backoff('A');
    expect(await p.pick(rows, ME, new ActiveRuns(), new Set())).toEqual(['B']);
    p.clearBackoff('A');
    expect((await p.pick(rows, ME, new ActiveRuns(), new Set())).sort()).toEqual(['A', 'B']);
  });

  it('with HA, takes a fair share of the ready work across live replicas', async () => {
    for (const id of [ME, 'other']) await registry.heartbeat(id);
    const rows = ['A', 'B', 'C', 'D'].map((env) => req(env, 'Pending'));
    const p = picker(ha());
    expect(await p.pick(rows, ME, new ActiveRuns(), new Set())).toHaveLength(2);
    // Holding one already, and one environment busy elsewhere: ceil((3 + 1 + 1) / 2) - 1 = 2.
    const busy = [req('E', 'Running', 'other', NOW + 5000), ...rows.slice(1)];
    expect(await p.pick(busy, ME, new ActiveRuns(), new Set(['A']))).toHaveLength(2);
  });

  it('with HA, an environment left waiting for three polls is taken regardless of the share', async () => {
    for (const id of [ME, 'r2', 'r3', 'r4']) await registry.heartbeat(id);
    const rows = ['A', 'B', 'C', 'D'].map((env) => req(env, 'Pending'));
    const p = picker(ha());
    expect(await p.pick(rows, ME, new ActiveRuns(), new Set())).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 3 * POLL_MS + 50));
    expect(await p.pick(rows, ME, new ActiveRuns(), new Set())).toHaveLength(4);
  });
});
