/**
 * The soak's checks must be able to fail: each guarantee, broken on purpose in synthetic
 * records, is reported as exactly that violation. And the step script's records, including the
 * one a SIGKILLed run leaves, parse back into runs.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { DeploymentRequestEntity } from '../../src/persistence/entities/deployment-request.entity';
import { readStepRuns, StepRun } from '../../bench/cluster/run-records';
import { writeStepScript } from '../../bench/cluster/step-script';
import { checkSoak } from '../../bench/soak/soak-checker';

function run(over: Partial<StepRun>): StepRun {
  return {
    environment: 'E',
    requestId: 1,
    replica: 'replica-1',
    pid: 100,
    start: 1000,
    end: 2000,
    exitCode: 0,
    gone: 2001,
    ...over,
  };
}

function row(id: number, over: Partial<DeploymentRequestEntity> = {}): DeploymentRequestEntity {
  return {
    id,
    environment: 'E',
    status: 'Completed',
    log: null,
    ownerId: null,
    epoch: null,
    ...over,
  } as DeploymentRequestEntity;
}

const kinds = (runs: StepRun[], rows: DeploymentRequestEntity[]) =>
  checkSoak(runs, rows, []).violations.map((v) => v.kind);

describe('soak checks', () => {
  it('passes a clean history', () => {
    const runs = [run({}), run({ requestId: 2, pid: 101, start: 2100, end: 3000, gone: 3001 })];
    expect(kinds(runs, [row(1), row(2)])).toEqual([]);
  });

  it('reports two runs of one environment that overlap, a killed run by when it was gone', () => {
    const killed = run({ end: null, exitCode: null, gone: 2500 });
    const next = run({ requestId: 2, pid: 101, start: 2400, end: 3000, gone: 3001 });
    expect(kinds([killed, next], [row(1, { status: 'Errored' }), row(2)])).toEqual(['overlap']);
  });

  it('reports a rerun without a recovery note, and accepts one with it', () => {
    const runs = [
      run({ end: null, exitCode: null, gone: 1500 }),
      run({ pid: 101, start: 5000, end: 6000 }),
    ];
    expect(kinds(runs, [row(1)])).toEqual(['rerun-without-recovery']);
    expect(kinds(runs, [row(1, { log: '[t] Recovered by replica-2: ...' })])).toEqual([]);
  });

  it('reports requests left open, Id order broken, Completed without success, scripts alive', () => {
    expect(kinds([run({})], [row(1, { status: 'Running' })])).toEqual(['not-final']);
    const outOfOrder = [
      run({ requestId: 2 }),
      run({ requestId: 1, pid: 101, start: 2100, end: 2200 }),
    ];
    expect(kinds(outOfOrder, [row(1), row(2)])).toEqual(['id-order']);
    expect(kinds([run({ exitCode: 1 })], [row(1)])).toEqual(['completed-without-success']);
    expect(
      kinds([run({ end: null, exitCode: null, gone: null })], [row(1, { status: 'Failed' })]),
    ).toEqual(['script-still-running']);
  });
});

describe('step script records', () => {
  let dir: string;
  beforeEach(async () => (dir = await mkdtemp(join(tmpdir(), 'dorc-step-'))));
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('records start, end with the exit code, and gone; a SIGKILLed group still leaves gone', async () => {
    const record = join(dir, 'record.log');
    await writeStepScript(join(dir, 'r'), 'replica-9', record, join(dir, 'markers'));
    const env = {
      ...process.env,
      EnvironmentName: 'E',
      DeploymentRequestId: '7',
      SleepSeconds: '0.1',
      ExitCode: '3',
    };
    await promisify(execFile)('setsid', [join(dir, 'r', 'step.sh')], { env }).catch(
      () => undefined,
    );

    const long = spawn('setsid', [join(dir, 'r', 'step.sh')], {
      env: { ...env, DeploymentRequestId: '8', SleepSeconds: '30' },
    });
    await waitUntil(async () => (await readStepRuns(record)).some((r) => r.requestId === 8));
    process.kill(-long.pid!, 'SIGKILL');
    await waitUntil(
      async () => (await readStepRuns(record)).find((r) => r.requestId === 8)?.gone != null,
    );

    const [done, killed] = await readStepRuns(record);
    expect(done).toMatchObject({ requestId: 7, replica: 'replica-9', exitCode: 3 });
    expect(done.end).toBeGreaterThanOrEqual(done.start + 100);
    expect(done.gone).toBeGreaterThanOrEqual(done.end!);
    expect(killed).toMatchObject({ requestId: 8, end: null, exitCode: null });
    expect(killed.gone).toBeGreaterThan(killed.start);
  });
});

describe('step script reaper', () => {
  let dir: string;
  beforeEach(async () => (dir = await mkdtemp(join(tmpdir(), 'dorc-step-'))));
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('leaves a gone record even when the group dies right after its start line (20 times)', async () => {
    const record = join(dir, 'record.log');
    await writeStepScript(join(dir, 'r'), 'replica-9', record, join(dir, 'markers'));
    for (let id = 1; id <= 20; id++) {
      const env = {
        ...process.env,
        EnvironmentName: 'E',
        DeploymentRequestId: String(id),
        SleepSeconds: '30',
      };
      const child = spawn('setsid', [join(dir, 'r', 'step.sh')], { env });
      await waitUntil(
        async () => (await readStepRuns(record)).some((r) => r.requestId === id),
        5000,
        1,
      );
      process.kill(-child.pid!, 'SIGKILL');
    }
    await waitUntil(async () => (await readStepRuns(record)).every((r) => r.gone !== null));
    expect((await readStepRuns(record)).map((r) => r.requestId)).toHaveLength(20);
  });
});

async function waitUntil(
  check: () => Promise<boolean>,
  timeoutMs = 5000,
  stepMs = 20,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, stepMs));
  }
}
