import { existsSync, chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ScriptStream } from '../../src/deployment/script-runner.types';
import { fixture, ScriptHarness } from './support/script-harness';

describe('ScriptRunner runs scripts (real bash, real processes)', () => {
  const h = new ScriptHarness();
  beforeEach(() => h.setUp());
  afterEach(() => h.tearDown());

  describe('exit and environment', () => {
    it('reports the exit code of the script', async () => {
      const ok = await h.run(fixture('exit-with.sh')).script.done;
      const failed = await h.run(fixture('exit-with.sh'), { env: { EXIT_CODE: '3' } }).script.done;

      expect(ok).toEqual({ exitCode: 0, durationMs: expect.any(Number) });
      expect(failed.exitCode).toBe(3);
      expect(failed.killedFor).toBeUndefined();
      expect(failed.error).toBeUndefined();
    });

    it('gives the script the properties, the base environment and nothing else, in ScriptRoot', async () => {
      process.env.DORC_TEST_MONITOR_SECRET = 'must-not-leak';
      try {
        const { script, lines } = h.run(fixture('show-env.sh'), {
          env: { EnvironmentName: 'DV 01', ScriptRoot: h.scriptRoot, HOME: '/from/property' },
        });
        expect((await script.done).exitCode).toBe(0);
        const text = lines.map((l) => l.line);

        expect(text).toContain(`cwd=${h.scriptRoot}`);
        expect(text).toContain('EnvironmentName=DV 01');
        expect(text).toContain(`ScriptRoot=${h.scriptRoot}`);
        expect(text).toContain(`PATH=${process.env.PATH}`);
        expect(text).toContain('HOME=/from/property');
        expect(text.some((l) => l.includes('DORC_TEST_MONITOR_SECRET'))).toBe(false);
        expect(text.some((l) => l.includes('must-not-leak'))).toBe(false);
      } finally {
        delete process.env.DORC_TEST_MONITOR_SECRET;
      }
    });

    it('starts the script with no signal ignored (bash ignores INT and QUIT for `&` jobs)', async () => {
      const { script, saw } = h.run(fixture('show-env.sh'));
      await script.done;

      expect(saw('ignored signals: 0000000000000000')).toBe(true);
    });

    it('never sources ~/.bashrc in the watchdog, though its stdin is a socket', async () => {
      const marker = join(h.scriptRoot, 'bashrc-was-read');
      writeFileSync(join(h.scriptRoot, '.bashrc'), `echo read >${marker}\n`);
      const baseEnv = { PATH: process.env.PATH!, HOME: h.scriptRoot };
      const { script } = h.run(fixture('exit-with.sh'), { baseEnv });

      expect((await script.done).exitCode).toBe(0);
      expect(existsSync(marker)).toBe(false);
    });

    it('runs the script as the leader of its own session and process group', async () => {
      const { script, lines } = h.run(fixture('show-env.sh'));
      await script.done;
      const pid = script.pid!;

      expect(pid).toBeGreaterThan(0);
      expect(lines.map((l) => l.line)).toContain(`pid=${pid} pgid=${pid} sid=${pid}`);
    });
  });

  it('passes each stream line by line, in order, without line ends', async () => {
    const { script, lines } = h.run(fixture('output.sh'));
    await script.done;
    const of = (stream: ScriptStream) =>
      lines.filter((l) => l.stream === stream).map((l) => l.line);

    expect(of('stdout')).toEqual([
      'first',
      'second with CRLF',
      'grüße, 日本, 🚀',
      ...['line 1', 'line 2', 'line 3', 'line 4', 'line 5'],
      'no newline at the end',
    ]);
    expect(of('stderr')).toEqual(['error one', 'error two']);
  });

  describe('scripts that cannot run give an outcome with an error a person can act on', () => {
    it('reports a missing script', async () => {
      const missing = join(h.scriptRoot, 'nope.sh');
      const outcome = await h.run(missing).script.done;

      expect(outcome).toEqual({
        exitCode: null,
        error: `script not found: ${missing}`,
        durationMs: 0,
      });
    });

    it('reports a .ps1 script when pwsh is not installed', async () => {
      const outcome = await h.run(fixture('hello.ps1'), { baseEnv: { PATH: h.pathWith() } }).script
        .done;

      expect(outcome.exitCode).toBeNull();
      expect(outcome.error).toBe('pwsh is not installed; cannot run hello.ps1');
    });

    it('runs a .ps1 script with pwsh -File when pwsh is on PATH', async () => {
      const fakePwsh = '#!/bin/bash\necho "pwsh $*"\necho "ComponentName=$ComponentName"\n';
      const { script, saw } = h.run(fixture('hello.ps1'), {
        baseEnv: { PATH: h.pathWith({ pwsh: fakePwsh }) },
        env: { ComponentName: 'Web' },
      });

      expect((await script.done).exitCode).toBe(0);
      expect(saw(`pwsh -NoLogo -NoProfile -NonInteractive -File ${fixture('hello.ps1')}`)).toBe(
        true,
      );
      expect(saw('ComponentName=Web')).toBe(true);
    });

    it('reports a file with an unknown extension that is not executable', async () => {
      const file = join(h.scriptRoot, 'deploy.cmd');
      writeFileSync(file, 'echo hi\n', { mode: 0o644 });
      const outcome = await h.run(file).script.done;

      expect(outcome.error).toBe(
        'deploy.cmd is neither a .sh nor a .ps1 script and is not executable; cannot run it (rename it or chmod +x it)',
      );
    });

    it('runs an executable file with another extension directly', async () => {
      const file = join(h.scriptRoot, 'deploy');
      writeFileSync(file, '#!/bin/sh\necho "direct $0"\nexit 4\n');
      chmodSync(file, 0o755);
      const { script, saw } = h.run(file);

      expect((await script.done).exitCode).toBe(4);
      expect(saw(`direct ${file}`)).toBe(true);
    });

    it('reports a missing working directory', async () => {
      const cwd = join(h.scriptRoot, 'missing-dir');
      const outcome = await h.run(fixture('exit-with.sh'), { cwd }).script.done;

      expect(outcome.error).toBe(`working directory not found: ${cwd}`);
    });

    it('reports a NUL character in a property without showing the value', async () => {
      const env = { Password: 'secret\0value' };
      const outcome = await h.run(fixture('exit-with.sh'), { env }).script.done;

      expect(outcome.error).toBe('the value of Password contains a NUL character');
    });
  });
});
