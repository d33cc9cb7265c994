/**
 * A run told to stop (fenced, cancelled) in the short gap between marking a component Running
 * and starting its script must not start, or must kill at once, that script: the executor checks
 * the signal before each component, but then awaits a database write before the step spawns the
 * script and listens for the abort. An abort that lands in that gap is an event that already
 * happened, and `addEventListener('abort')` never fires for it.
 */
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CatalogComponent } from '../../src/deployment/catalog.reader';
import { ComponentStep, StepOptions } from '../../src/deployment/component-step';
import type { RunAbortReason, RunInput } from '../../src/deployment/run-types';
import { ScriptRunner } from '../../src/deployment/script-runner';
import { isAlive, killGroup, readPid } from './fencing-fixtures';

const SCRIPT_SECONDS = 5;

describe.each(['fenced', 'cancel'] as RunAbortReason[])(
  'a step whose run was aborted (%s) before it started',
  (reason) => {
    let dir: string;
    let pid: number | undefined;

    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'dorc-abort-'));
      const body = `#!/usr/bin/env bash\necho $$ > "${dir}/script.pid"\nsleep ${SCRIPT_SECONDS}\ntouch "${dir}/finished"\n`;
      await writeFile(join(dir, 'long.sh'), body);
      await chmod(join(dir, 'long.sh'), 0o755);
    });

    afterEach(async () => {
      killGroup(pid);
      await rm(dir, { recursive: true, force: true });
    });

    it('does not leave the script running', async () => {
      const controller = new AbortController();
      controller.abort(reason);
      const result = await new ComponentStep(new ScriptRunner()).run(
        component(),
        input(controller.signal),
        options(dir),
      );
      if (existsSync(join(dir, 'script.pid'))) pid = await readPid(join(dir, 'script.pid'));

      expect(existsSync(join(dir, 'finished'))).toBe(false);
      expect(pid === undefined || !isAlive(pid)).toBe(true);
      if (reason === 'fenced') expect(result.interrupted).toBe(true);
      else expect(result.status).toBe('Cancelled');
    }, 20_000);
  },
);

function component(): CatalogComponent {
  const script = { name: 'long', path: 'long.sh', nonProdOnly: false };
  return { id: 1, name: 'Long', parentId: null, isEnabled: true, stopOnFailure: false, script };
}

function input(signal: AbortSignal): RunInput {
  const fence = { environment: 'Env', epoch: 1, ownerId: 'me' };
  const base = { requestId: 1, environment: 'Env', isProd: false, fence, signal };
  return { ...base, watchdogKillAfterMs: 0, onScript: () => undefined };
}

function options(scriptRoot: string): StepOptions {
  const baseEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
  return { scriptRoot, baseEnv, properties: {}, timeoutMs: 0, logMaxBytes: 65536 };
}
