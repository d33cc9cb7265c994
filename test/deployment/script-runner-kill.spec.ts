import { isGone, waitUntilGone } from './support/processes';
import { fixture, ScriptHarness } from './support/script-harness';

describe('ScriptRunner stops scripts (real bash, real processes)', () => {
  const h = new ScriptHarness();
  beforeEach(() => h.setUp());
  afterEach(() => h.tearDown());

  describe('stopping a script kills its whole process group', () => {
    it('kills on timeout', async () => {
      const { script, childPid } = await h.runWithChild('child-then-sleep.sh', { timeoutMs: 1000 });
      const outcome = await script.done;

      expect(outcome).toMatchObject({ exitCode: null, signal: 'SIGTERM', killedFor: 'timeout' });
      expect(await waitUntilGone(childPid)).toBe(true);
    });

    it('kills on cancel', async () => {
      const { script, childPid } = await h.runWithChild('child-then-sleep.sh');
      script.kill('cancel');
      const outcome = await script.done;

      expect(outcome).toMatchObject({ exitCode: null, signal: 'SIGTERM', killedFor: 'cancel' });
      expect(await waitUntilGone(childPid)).toBe(true);
    });

    it('follows SIGTERM with SIGKILL after the grace period when the script ignores SIGTERM', async () => {
      const { script, childPid } = await h.runWithChild('ignores-term.sh', { killGraceMs: 500 });
      script.kill('shutdown');
      const outcome = await script.done;

      expect(outcome).toMatchObject({ signal: 'SIGKILL', killedFor: 'shutdown' });
      expect(await waitUntilGone(childPid)).toBe(true);
    });

    it('kills with SIGKILL at once when fenced, without a grace period', async () => {
      const { script, childPid } = await h.runWithChild('ignores-term.sh', { killGraceMs: 60_000 });
      script.kill('fenced');
      const outcome = await script.done;

      expect(outcome).toMatchObject({ signal: 'SIGKILL', killedFor: 'fenced' });
      expect(await waitUntilGone(childPid)).toBe(true);
    });

    it('kills what a script left behind when it exits by itself', async () => {
      const { script } = h.run(fixture('leaves-child.sh'));
      const childPid = await h.childPid();

      expect(await script.done).toMatchObject({ exitCode: 0 });
      expect(await waitUntilGone(childPid)).toBe(true);
    });
  });

  describe('the watchdog', () => {
    it('kills the group when no ping comes before the deadline, with no help from Node', async () => {
      const { script, childPid } = await h.runWithChild('child-then-sleep.sh', {
        watchdogKillAfterMs: 1500,
      });
      const outcome = await script.done;

      expect(outcome).toMatchObject({ exitCode: null, signal: 'SIGKILL', killedFor: 'watchdog' });
      expect(await waitUntilGone(childPid)).toBe(true);
    });

    it('keeps the script alive while pings move the deadline, and kills at ping(0)', async () => {
      const { script, childPid } = await h.runWithChild('child-then-sleep.sh', {
        watchdogKillAfterMs: 2000,
      });
      for (let i = 0; i < 12; i++) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        script.ping(2000);
      }
      expect(isGone(childPid)).toBe(false);

      script.ping(0);
      expect(await script.done).toMatchObject({ killedFor: 'watchdog' });
      expect(await waitUntilGone(childPid)).toBe(true);
    });

    it('kills the group when the monitor process dies (stdin EOF)', async () => {
      const monitor = h.startMonitor(0);
      const childPid = await h.childPid();
      expect(isGone(childPid)).toBe(false);

      monitor.kill('SIGKILL');

      expect(await waitUntilGone(childPid)).toBe(true);
    });

    it('kills the group when the monitor process is frozen (SIGSTOP) past the deadline', async () => {
      const monitor = h.startMonitor(1500);
      const childPid = await h.childPid();

      monitor.kill('SIGSTOP');

      expect(await waitUntilGone(childPid, 10_000)).toBe(true);
    });
  });
});
