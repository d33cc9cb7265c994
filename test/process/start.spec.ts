import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  assertBuilt,
  freePort,
  httpStatus,
  killAll,
  pidAlive,
  REPO,
  runCli,
  startMonitor,
  waitUntil,
} from './cli-process';

describe('the built monitor as a process (SQLite default)', () => {
  let dir: string;

  beforeAll(() => assertBuilt());

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dorc-process-'));
  });

  afterEach(async () => {
    killAll();
    await rm(dir, { recursive: true, force: true });
  });

  it('starts on a new SQLite file, answers /health/ready, and stops with exit 0 on SIGTERM', async () => {
    const port = await freePort();
    const monitor = startMonitor(['start'], {
      cwd: dir,
      env: { AppSettings__Http__Port: String(port) },
    });
    const ms = await waitUntil(
      'readiness',
      async () => (await httpStatus(port, '/health/ready')) === 200,
      15_000,
    );
    expect(ms).toBeLessThan(15_000);
    expect(existsSync(join(dir, 'data', 'dorc-monitor.sqlite'))).toBe(true);
    expect(await httpStatus(port, '/health/live')).toBe(200);
    const locks = (await (await fetch(`http://127.0.0.1:${port}/locks`)).json()) as Record<
      string,
      unknown
    >;
    expect(locks.highAvailability).toBe(false);
    monitor.child.kill('SIGTERM');
    expect(await monitor.exited).toBe(0);
  });

  it('exits 78 listing every settings problem, without printing a secret', async () => {
    const secret = 'Sup3r-Secret-Passw0rd';
    const config = join(dir, 'bad.json');
    await writeFile(
      config,
      JSON.stringify({
        AppSettings: {
          RequestProcessingIterationDelayMs: 'soon',
          HighAvailability: {
            Enabled: 'yes',
            RabbitMQ: { Port: 'abc', OAuth: { Password: secret } },
          },
        },
      }),
    );
    const result = runCli(['start', '--config', config], { cwd: dir });
    expect(result.code).toBe(78);
    const lines = result.stderr.split('\n');
    expect(lines.some((l) => l.startsWith('RequestProcessingIterationDelayMs: '))).toBe(true);
    expect(lines.some((l) => l.startsWith('HighAvailability.Enabled: '))).toBe(true);
    expect(lines.some((l) => l.startsWith('HighAvailability.RabbitMQ.Port: '))).toBe(true);
    expect(result.stderr + result.stdout).not.toContain(secret);

    const env = { AppSettings__HighAvailability__RabbitMQ__OAuth__Password: secret };
    const shown = runCli(['config'], { cwd: dir, env });
    expect(shown.code).toBe(0);
    expect(shown.stdout).not.toContain(secret);
    expect(shown.stdout).toContain('********');
  });

  it('applies the example catalogue, runs a submitted request to Completed, and rejects unknown names', async () => {
    await cp(join(REPO, 'scripts'), join(dir, 'scripts'), { recursive: true });
    const env = { AppSettings__Http__Port: String(await freePort()) };
    const applied = runCli(['catalog', 'apply', join(REPO, 'examples', 'catalog.yaml')], {
      cwd: dir,
      env,
    });
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    const again = runCli(['catalog', 'apply', join(REPO, 'examples', 'catalog.yaml')], {
      cwd: dir,
      env,
    });
    expect(again.stdout).toMatch(/0 created, 0 updated/);

    const unknown = runCli(
      ['submit', '--project', 'WebShop', '--environment', 'Nowhere', '--components', 'Backend'],
      { cwd: dir, env },
    );
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('Nowhere');

    const monitor = startMonitor(['start'], {
      cwd: dir,
      env: { ...env, AppSettings__RequestProcessingIterationDelayMs: '200' },
    });
    const submit = runCli(
      [
        'submit',
        '--project',
        'WebShop',
        '--environment',
        'Development',
        '--components',
        'Database,Backend',
        '--property',
        'StepSeconds=0',
        '--wait',
      ],
      { cwd: dir, env },
    );
    expect(submit.stdout).toContain('Completed');
    expect(submit.code).toBe(0);
    const status = runCli(['status', '1'], { cwd: dir, env });
    expect(status.stdout).toMatch(/Database: Complete/);
    expect(status.stdout).toMatch(/Frontend: Complete/);
    monitor.child.kill('SIGTERM');
    expect(await monitor.exited).toBe(0);
  });

  it('on SIGTERM with a running deployment: exits 0 within the grace period and leaves no script behind', async () => {
    await writeFile(
      join(dir, 'catalog.json'),
      JSON.stringify({
        projects: [{ name: 'P', components: ['Long'] }],
        environments: [{ name: 'E', isProd: false }],
        scripts: [{ name: 'long', path: 'long.sh' }],
        components: [{ name: 'Long', script: 'long' }],
      }),
    );
    const pidFile = join(dir, 'child.pid');
    await writeFile(
      join(dir, 'long.sh'),
      `#!/usr/bin/env bash\nsleep 300 &\necho $! > "${pidFile}"\nwait\n`,
      { mode: 0o755 },
    );
    const env = {
      AppSettings__Http__Port: String(await freePort()),
      AppSettings__ScriptRoot: dir,
      AppSettings__ShutdownGraceSeconds: '2',
      AppSettings__RequestProcessingIterationDelayMs: '200',
    };
    expect(runCli(['catalog', 'apply', join(dir, 'catalog.json')], { cwd: dir, env }).code).toBe(0);
    expect(
      runCli(['submit', '--project', 'P', '--environment', 'E', '--components', 'Long'], {
        cwd: dir,
        env,
      }).code,
    ).toBe(0);
    const monitor = startMonitor(['start'], { cwd: dir, env });
    await waitUntil(
      'the script child pid',
      async () => existsSync(pidFile) && (await readFile(pidFile, 'utf8')).trim() !== '',
      20_000,
    );
    const childPid = Number((await readFile(pidFile, 'utf8')).trim());
    expect(pidAlive(childPid)).toBe(true);

    const stopAt = Date.now();
    monitor.child.kill('SIGTERM');
    expect(await monitor.exited).toBe(0);
    expect(Date.now() - stopAt).toBeLessThan(2000 + 5000);
    await waitUntil('the script child to be gone', async () => !pidAlive(childPid), 3000);

    const status = runCli(['status', '1'], { cwd: dir, env });
    expect(status.stdout).toContain('Request 1: Pending');
    expect(status.stdout).toContain('shut down');
  });
});
