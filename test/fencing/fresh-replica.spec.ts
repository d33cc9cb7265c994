/**
 * Issue 6, criterion 3: a replica that starts while another one is running deployments changes
 * no running request (status, owner, epoch) and leaves the environments' fences alone; the
 * running replica finishes its work, each request once.
 */
import { DeploymentRequestEntity } from '../../src/persistence/entities/deployment-request.entity';
import { MonitorRuntime } from '../../src/runtime/monitor-runtime';
import { EngineHarness, overlapsWithin } from '../support/engine-harness';
import { HaSql, haSettings, sleep, suffix, waitUntil } from './fencing-fixtures';

const WATCH_MS = 5000;

describe('a fresh replica beside a busy one (PostgreSQL, HA)', () => {
  let h: EngineHarness;
  let b: MonitorRuntime | undefined;
  const tag = suffix();
  const envs = [`Fresh-${tag}-1`, `Fresh-${tag}-2`];
  const idA = `fresh-a-${tag}`;
  const idB = `fresh-b-${tag}`;

  beforeAll(async () => {
    h = await EngineHarness.create('postgres');
  });

  afterAll(async () => {
    await b?.stop();
    await h.cleanup();
  });

  it('changes no running request and A completes them', async () => {
    await h.recordingScript('step.sh', 9);
    await h.catalog(
      'App',
      envs.map((name) => ({ name })),
      [{ name: 'Step', script: 'step.sh' }],
    );
    const ids = [await h.submit(envs[0], ['Step']), await h.submit(envs[1], ['Step'])];
    const a = await h.start(haSettings(idA));
    for (const id of ids) await h.waitFor(id, (r) => r.status === 'Running');
    const before = await claims(ids);
    expect(before.map((r) => r.ownerId)).toEqual([idA, idA]);
    const sql = new HaSql(h.dataSource);
    const fences = await Promise.all(envs.map((env) => sql.fenceRow(env)));

    b = new MonitorRuntime(h.settings(haSettings(idB)), h.dataSource);
    await b.start();
    const watchedUntil = Date.now() + WATCH_MS;
    let polls = 0;
    while (Date.now() < watchedUntil) {
      expect(await claims(ids)).toEqual(before);
      expect(await Promise.all(envs.map((env) => sql.fenceRow(env)))).toEqual(fences);
      for (const id of ids) expect(b.scheduler.runs.has(id)).toBe(false);
      polls++;
      await sleep(100);
    }
    expect(polls).toBeGreaterThan(10);
    // B was really polling all along (it registered itself as a live replica).
    await waitUntil('B in the registry', async () => (await monitors()).includes(idB), 5000);

    for (const id of ids) {
      const done = await h.waitFinal(id, 30_000);
      expect(done).toMatchObject({ status: 'Completed', ownerId: idA, attempt: 1 });
      expect(done.log ?? '').not.toContain('Recovered');
    }
    const runs = await h.intervals();
    expect(runs.map((r) => r.requestId).sort()).toEqual([...ids].sort());
    expect(overlapsWithin(runs)).toEqual([]);
    expect(a.scheduler.runs.all()).toEqual([]);
  });

  async function claims(ids: number[]) {
    const rows = await h.dataSource
      .getRepository(DeploymentRequestEntity)
      .find({ order: { id: 'ASC' } });
    return rows
      .filter((r) => ids.includes(r.id))
      .map((r) => ({
        id: r.id,
        status: r.status,
        ownerId: r.ownerId,
        epoch: r.epoch,
        attempt: r.attempt,
      }));
  }

  async function monitors(): Promise<string[]> {
    const d = new HaSql(h.dataSource).d;
    const rows = await d.select<{ id: string }>(
      h.dataSource,
      `SELECT ${d.col('MonitorId')} AS ${d.col('id')} FROM ${d.table('Monitor')}`,
    );
    return rows.map((r) => r.id);
  }
});
