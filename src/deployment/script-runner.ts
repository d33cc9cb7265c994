import { Injectable } from '@nestjs/common';
import { spawn } from 'node:child_process';
import {
  DEFAULT_SEARCH_PATH,
  directoryProblem,
  findOnPath,
  scriptCommand,
  signalResetPrefix,
} from './script-command';
import { ScriptProcess } from './script-process';
import type { RunningScript, ScriptOutcome, ScriptRunOptions } from './script-runner.types';
import { WATCHDOG_SCRIPT } from './script-watchdog';

/**
 * Runs one component script in its own process group under a watchdog, so that cancel, fencing,
 * a timeout, a frozen monitor (deadline without ping) or a dead monitor (EOF) always take the
 * script's whole group down with it. Problems that stop a script from running come back as an
 * outcome with `error`, never as an exception.
 */
@Injectable()
export class ScriptRunner {
  run(options: ScriptRunOptions): RunningScript {
    const searchPath = options.baseEnv.PATH ?? DEFAULT_SEARCH_PATH;
    const command = scriptCommand(options.scriptPath, searchPath);
    if ('error' in command) return notStarted(command.error);
    const cwdProblem = directoryProblem(options.cwd);
    if (cwdProblem) return notStarted(cwdProblem);
    const bash = findOnPath('bash', searchPath);
    const setsid = findOnPath('setsid', searchPath);
    if (!bash || !setsid)
      return notStarted('bash and setsid (util-linux) are needed to run scripts');
    const env = { ...options.baseEnv, ...options.env };
    const envProblem = environmentProblem(env);
    if (envProblem) return notStarted(envProblem);

    const argv = [setsid, ...signalResetPrefix(searchPath), ...command.argv];
    return this.start(bash, argv, env, options);
  }

  private start(
    bash: string,
    argv: string[],
    env: Record<string, string>,
    options: ScriptRunOptions,
  ): RunningScript {
    const killAfterMs = Math.max(0, Math.floor(options.watchdogKillAfterMs));
    // --norc: Node's stdio pipes are sockets, and bash sources ~/.bashrc when stdin is a socket
    // (it takes that for rshd). -p: it ignores BASH_ENV and functions exported in the
    // environment. No property or home directory can change what the watchdog does.
    const shell = ['--norc', '--noprofile', '-p', '-c', WATCHDOG_SCRIPT, 'dorc-script-watchdog'];
    const args = [...shell, argv[0], `${killAfterMs}`];
    try {
      const watchdog = spawn(bash, [...args, ...argv.slice(1)], {
        cwd: options.cwd,
        env,
        // Its own session: a Ctrl-C or SIGHUP meant for the monitor must not kill the watchdog.
        detached: true,
        stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
      });
      return new ScriptProcess(watchdog, options);
    } catch (error) {
      // Node's message may quote an environment value, which can be a secret: give the code only.
      const code = (error as NodeJS.ErrnoException).code ?? (error as Error).name;
      return notStarted(`could not start the script (${code})`);
    }
  }
}

/** Names and values the operating system cannot carry; the message never shows a value. */
function environmentProblem(env: Record<string, string>): string | undefined {
  for (const [name, value] of Object.entries(env)) {
    if (name === '' || name.includes('=') || name.includes('\0')) {
      return `invalid environment variable name: ${JSON.stringify(name)}`;
    }
    if (value.includes('\0')) return `the value of ${name} contains a NUL character`;
  }
  return undefined;
}

function notStarted(error: string): RunningScript {
  const outcome: ScriptOutcome = { exitCode: null, error, durationMs: 0 };
  return { pid: undefined, done: Promise.resolve(outcome), kill: () => {}, ping: () => {} };
}
