/**
 * Issue 6, criterion 4: Cancelling written for a request that replica A runs reaches A, which
 * stops the script's process group and finishes the request as Cancelled; B and C, polling the
 * same rows all along, never run it and never write to it.
 */
import { join } from 'node:path';
import { MonitorRuntime } from '../../src/runtime/monitor-runtime';
import { EngineHarness } from '../support/engine-harness';
import { HaSql, haSettings, killGroup, readPid, suffix, whenGone } from './fencing-fixtures';

describe('cancel reaches the owner among three replicas (PostgreSQL, HA)', () => {
  let h: EngineHarness;
  const runtimes = new Map<string, MonitorRuntime>();
  const tag = suffix();
  const env = `Cancel-${tag}`;
  let pids: number[] = [];

  beforeAll(async () => {
    h = await EngineHarness.create('postgres');
  });

  afterAll(async () => {
    await Promise.all([...runtimes.values()].map((r) => r.stop()));
    await h.cleanup();
    pids.forEach(killGroup);
  });

  it('A stops its run and finishes it as Cancelled; B and C do nothing to it', async () => {
    const dir = h.scriptRoot;
    const script = [
      `echo $$ > "${dir}/script.pid"`,
      'sleep 120 &',
      `echo $! > "${dir}/child.pid"`,
      'wait',
    ];
    await h.script('long.sh', script.join('\n'));
    await h.catalog(
      'App',
      [{ name: env }],
      [
        { name: 'Long', script: 'long.sh' },
        { name: 'After', script: 'long.sh' },
      ],
    );
    for (const name of ['a', 'b', 'c']) {
      const id = `cancel-${name}-${tag}`;
      const runtime = new MonitorRuntime(h.settings(haSettings(id)), h.dataSource);
      runtimes.set(id, runtime);
      await runtime.start();
    }
    const seen = watchRuns(runtimes);
    const id = await h.submit(env, ['Long', 'After']);
    const running = await h.waitFor(id, (r) => r.status === 'Running' && r.ownerId !== null);
    const owner = running.ownerId!;
    const scriptPid = await readPid(join(dir, 'script.pid'));
    const childPid = await readPid(join(dir, 'child.pid'));
    pids = [scriptPid];

    await new HaSql(h.dataSource).setStatus(id, 'Cancelling');
    const done = await h.waitFinal(id, 15_000);
    seen.stop();

    expect(done).toMatchObject({
      status: 'Cancelled',
      ownerId: owner,
      epoch: running.epoch,
      attempt: 1,
    });
    expect(done.log).toContain('Cancelled by request.');
    expect(done.log ?? '').not.toContain('Recovered');
    expect((await h.results(id)).map((r) => r.status)).toEqual(['Cancelled', 'Cancelled']);
    expect(await whenGone(scriptPid, 3000)).not.toBeNull();
    expect(await whenGone(childPid, 3000)).not.toBeNull();
    expect(seen.byReplica.get(owner)).toContain(id);
    for (const other of [...runtimes.keys()].filter((r) => r !== owner)) {
      expect(seen.byReplica.get(other) ?? []).not.toContain(id);
      const metrics = await runtimes.get(other)!.metrics.requestsFinished.get();
      expect(metrics.values.reduce((n, v) => n + v.value, 0)).toBe(0);
    }
    const finishedByOwner = await runtimes.get(owner)!.metrics.requestsFinished.get();
    expect(finishedByOwner.values).toEqual([
      expect.objectContaining({ value: 1, labels: { status: 'Cancelled' } }),
    ]);
  });
});

/** Samples every replica's in-flight runs every 20 ms: which request ids each one ever ran. */
function watchRuns(runtimes: Map<string, MonitorRuntime>) {
  const byReplica = new Map<string, number[]>();
  const sample = () => {
    for (const [id, runtime] of runtimes) {
      const list = byReplica.get(id) ?? [];
      for (const run of runtime.scheduler.runs.all())
        if (!list.includes(run.requestId)) list.push(run.requestId);
      byReplica.set(id, list);
    }
  };
  const timer = setInterval(sample, 20);
  return {
    byReplica,
    stop: () => {
      sample();
      clearInterval(timer);
    },
  };
}
