import { DbKind, EngineHarness, overlapsWithin, sleep } from '../support/engine-harness';

const KINDS: DbKind[] = ['sqlite', 'postgres'];

describe.each(KINDS)('engine on %s', (kind) => {
  let h: EngineHarness;

  beforeEach(async () => {
    h = await EngineHarness.create(kind);
  });

  afterEach(async () => {
    await h.cleanup();
  });

  it('runs environments in parallel and each one sequentially in Id order', async () => {
    await h.recordingScript('step.sh', 0.4);
    const envs = ['Alpha', 'Beta', 'Gamma'];
    await h.catalog(
      'App',
      envs.map((name) => ({ name })),
      [{ name: 'Step', script: 'step.sh' }],
    );
    const ids: number[] = [];
    for (let i = 0; i < 9; i++) ids.push(await h.submit(envs[i % 3], ['Step']));
    await h.start();
    for (const id of ids) expect((await h.waitFinal(id)).status).toBe('Completed');

    const runs = await h.intervals();
    expect(runs).toHaveLength(9);
    expect(overlapsWithin(runs)).toEqual([]);
    for (const env of envs) {
      const order = runs.filter((r) => r.environment === env).sort((a, b) => a.start - b.start);
      expect(order.map((r) => r.requestId)).toEqual(
        [...order.map((r) => r.requestId)].sort((a, b) => a - b),
      );
    }
    const crossOverlap = runs.some((a) =>
      runs.some((b) => a.environment !== b.environment && a.start < b.end && b.start < a.end),
    );
    expect(crossOverlap).toBe(true);
  });

  it('a Paused head or a Running request blocks its environment; other tiers are ignored', async () => {
    await h.recordingScript('step.sh', 0);
    await h.catalog(
      'App',
      [{ name: 'Paused' }, { name: 'Busy' }, { name: 'Free' }, { name: 'Prod', isProd: true }],
      [{ name: 'Step', script: 'step.sh' }],
    );
    const pausedHead = await h.submit('Paused', ['Step'], { status: 'Paused' });
    const behindPaused = await h.submit('Paused', ['Step']);
    await h.submit('Busy', ['Step'], { status: 'Running' });
    const behindRunning = await h.submit('Busy', ['Step']);
    const prodTier = await h.submit('Prod', ['Step'], { isProd: true });
    const free = await h.submit('Free', ['Step']);
    // The Running row belongs to a live owner elsewhere: give it a far lease so it is not an orphan.
    await h.dataSource.query(
      kind === 'sqlite'
        ? `UPDATE "DeploymentRequest" SET "OwnerId" = 'other', "LeaseExpiresAt" = 99999999999999 WHERE "Status" = 'Running'`
        : `UPDATE "deploy"."DeploymentRequest" SET "OwnerId" = 'other', "LeaseExpiresAt" = 99999999999999 WHERE "Status" = 'Running'`,
    );
    await h.start();
    expect((await h.waitFinal(free)).status).toBe('Completed');
    await sleep(1000);
    expect((await h.request(pausedHead)).status).toBe('Paused');
    expect((await h.request(behindPaused)).status).toBe('Pending');
    expect((await h.request(behindRunning)).status).toBe('Pending');
    expect((await h.request(prodTier)).status).toBe('Pending');
  });

  it('cancelling a running request kills the script and its children', async () => {
    const pidFile = `${h.scriptRoot}/child.pid`;
    await h.script('long.sh', `sleep 300 &\necho $! > "${pidFile}"\nwait`);
    await h.catalog(
      'App',
      [{ name: 'Env' }],
      [
        { name: 'Long', script: 'long.sh' },
        { name: 'Later', script: 'long.sh' },
      ],
    );
    const id = await h.submit('Env', ['Long', 'Later']);
    await h.start();
    await h.waitFor(id, (r) => r.status === 'Running');
    const childPid = await waitForPid(pidFile);
    await h.setStatus(id, 'Cancelling');
    expect((await h.waitFinal(id)).status).toBe('Cancelled');
    const results = await h.results(id);
    expect(results.map((r) => r.status)).toEqual(['Cancelled', 'Cancelled']);
    expect(await processGone(childPid, 5000)).toBe(true);
  });

  it('restart clears results and runs the request again', async () => {
    await h.script('ok.sh', 'echo done');
    await h.catalog('App', [{ name: 'Env' }], [{ name: 'Ok', script: 'ok.sh' }]);
    const id = await h.submit('Env', ['Ok']);
    await h.start();
    expect((await h.waitFinal(id)).status).toBe('Completed');
    const firstResults = await h.results(id);
    await h.setStatus(id, 'Restarting');
    await h.waitFor(id, (r) => r.status !== 'Completed' && r.status !== 'Restarting');
    expect((await h.waitFinal(id)).status).toBe('Completed');
    const again = await h.results(id);
    expect(again).toHaveLength(1);
    expect(again[0].id).not.toBe(firstResults[0].id);
  });

  it('a component over ComponentTimeoutSeconds fails and StopOnFailure ends the run', async () => {
    await h.script('slow.sh', 'sleep 30');
    await h.script('ok.sh', 'echo ok');
    await h.catalog(
      'App',
      [{ name: 'Env' }],
      [
        { name: 'A-Slow', script: 'slow.sh', stopOnFailure: true },
        { name: 'B-Next', script: 'ok.sh' },
      ],
    );
    const id = await h.submit('Env', ['A-Slow', 'B-Next']);
    await h.start({ AppSettings__ComponentTimeoutSeconds: '1' });
    expect((await h.waitFinal(id)).status).toBe('Failed');
    const [slow, next] = await h.results(id);
    expect(slow.status).toBe('Failed');
    expect(slow.log).toContain('Timed out');
    expect(next.status).toBe('Cancelled');
  });

  it('a failing component without StopOnFailure lets the rest run; the request fails', async () => {
    await h.script('bad.sh', 'echo broken >&2; exit 3');
    await h.script('ok.sh', 'echo ok');
    await h.catalog(
      'App',
      [{ name: 'Env' }],
      [
        { name: 'A-Bad', script: 'bad.sh' },
        { name: 'B-Ok', script: 'ok.sh' },
      ],
    );
    const id = await h.submit('Env', ['A-Bad', 'B-Ok']);
    await h.start();
    expect((await h.waitFinal(id)).status).toBe('Failed');
    const [bad, ok] = await h.results(id);
    expect(bad.status).toBe('Failed');
    expect(bad.log).toContain('broken');
    expect(bad.log).toContain('exit code 3');
    expect(ok.status).toBe('Complete');
  });

  it('a NonProdOnly script in a production environment is skipped with a Warning', async () => {
    await h.script('ok.sh', 'echo ok');
    await h.catalog(
      'App',
      [{ name: 'Live', isProd: true }],
      [{ name: 'Smoke', script: 'ok.sh', nonProdOnly: true }],
    );
    const id = await h.submit('Live', ['Smoke'], { isProd: true });
    await h.start({ AppSettings__IsProduction: 'true' });
    expect((await h.waitFinal(id)).status).toBe('Completed');
    const [smoke] = await h.results(id);
    expect(smoke.status).toBe('Warning');
    expect(smoke.log).toContain('NonProdOnly');
  });

  it('properties: request pairs win over fixed ones, $Name$ interpolates and $$ is a dollar', async () => {
    await h.script(
      'props.sh',
      'echo "greeting=$Greeting"; echo "env=$EnvironmentName"; echo "price=$Price"',
    );
    await h.catalog('App', [{ name: 'Env' }], [{ name: 'Props', script: 'props.sh' }]);
    const id = await h.submit('Env', ['Props'], {
      properties: {
        Greeting: 'hello $EnvironmentName$ build $BuildNumber$',
        EnvironmentName: 'Overridden',
        Price: '$$5',
      },
    });
    await h.start();
    expect((await h.waitFinal(id)).status).toBe('Completed');
    const [props] = await h.results(id);
    expect(props.log).toContain('greeting=hello Overridden build 1.0.0');
    expect(props.log).toContain('env=Overridden');
    expect(props.log).toContain('price=$5');
  });

  it('start-up recovers what an earlier run of this monitor left Running, and nothing else', async () => {
    await h.script('ok.sh', 'echo ok');
    await h.catalog(
      'App',
      [{ name: 'Mine' }, { name: 'Theirs' }],
      [{ name: 'Ok', script: 'ok.sh' }],
    );
    const mine = await h.submit('Mine', ['Ok'], { status: 'Running' });
    const theirs = await h.submit('Theirs', ['Ok'], { status: 'Running' });
    const table = kind === 'sqlite' ? '"DeploymentRequest"' : '"deploy"."DeploymentRequest"';
    const p = kind === 'sqlite' ? ['?', '?'] : ['$1', '$2'];
    // "engine-test" is this monitor's id (the harness host name); its lease looks live but it is ours.
    await h.dataSource.query(
      `UPDATE ${table} SET "OwnerId" = ${p[0]}, "LeaseExpiresAt" = 99999999999999 WHERE "Id" = ${p[1]}`,
      ['engine-test', mine],
    );
    await h.dataSource.query(
      `UPDATE ${table} SET "OwnerId" = ${p[0]}, "LeaseExpiresAt" = 99999999999999 WHERE "Id" = ${p[1]}`,
      ['other-live-replica', theirs],
    );
    await h.start();
    const recovered = await h.waitFinal(mine);
    expect(recovered.status).toBe('Completed');
    expect(recovered.log).toContain('Recovered by engine-test');
    expect(recovered.attempt).toBe(1);
    await sleep(500);
    const untouched = await h.request(theirs);
    expect(untouched.status).toBe('Running');
    expect(untouched.ownerId).toBe('other-live-replica');
  });

  it('malformed XML, an unknown component and a missing script end with a reason; the next request runs', async () => {
    await h.script('ok.sh', 'echo ok');
    await h.catalog(
      'App',
      [{ name: 'Env' }],
      [
        { name: 'Ok', script: 'ok.sh' },
        { name: 'Ghost', script: 'missing.sh' },
      ],
    );
    const malformed = await h.submit('Env', ['Ok'], {
      xml: '<DeploymentRequestDetail><Environment',
    });
    const unknown = await h.submit('Env', ['Nope']);
    const missing = await h.submit('Env', ['Ghost']);
    const good = await h.submit('Env', ['Ok']);
    await h.start();
    const m = await h.waitFinal(malformed);
    expect(m.status).toBe('Errored');
    expect(m.log ?? '').toMatch(/XML|xml/);
    const u = await h.waitFinal(unknown);
    expect(u.status).toBe('Errored');
    expect(u.log).toContain('Nope');
    expect((await h.waitFinal(missing)).status).toBe('Failed');
    const [ghost] = await h.results(missing);
    expect(ghost.log).toContain('missing.sh');
    expect((await h.waitFinal(good)).status).toBe('Completed');
  });
});

async function waitForPid(file: string): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  for (let i = 0; i < 100; i++) {
    const text = await readFile(file, 'utf8').catch(() => '');
    if (text.trim()) return Number(text.trim());
    await sleep(100);
  }
  throw new Error('script never wrote its child pid');
}

async function processGone(pid: number, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    try {
      process.kill(pid, 0);
    } catch {
      return true;
    }
    await sleep(100);
  }
  return false;
}
