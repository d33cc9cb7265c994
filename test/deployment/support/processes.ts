import { spawn, ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const POLL_MS = 50;

/**
 * True once the process no longer runs. A zombie counts as gone: it is dead and only waits for
 * init to reap it, which on some container inits takes a while.
 */
export function isGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return true;
    throw error;
  }
  return processState(pid) === 'Z';
}

/** Resolves true when the process is gone within `timeoutMs`, false otherwise. */
export async function waitUntilGone(pid: number, timeoutMs = 5000): Promise<boolean> {
  return waitFor(() => isGone(pid), timeoutMs);
}

export async function waitFor(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  return check();
}

/** The pid a script wrote into `file`, once it is there. */
export async function readPidFile(file: string, timeoutMs = 10_000): Promise<number> {
  const written = await waitFor(() => existsSync(file) && /\d+\n/.test(readText(file)), timeoutMs);
  if (!written) throw new Error(`no pid in ${file} after ${timeoutMs} ms`);
  return Number(readText(file).trim());
}

/** Cleanup: SIGKILL to a pid this test started, unless it is already gone. */
export function killIfAlive(pid: number | undefined): void {
  if (pid === undefined || isGone(pid)) return;
  process.kill(pid, 'SIGKILL');
}

function processState(pid: number): string | undefined {
  const stat = readText(`/proc/${pid}/stat`);
  // The command name is in parentheses and may hold spaces: the state follows the last ')'.
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return ''; // Not there (yet, or any more): callers poll.
  }
}

/** Runs runner-child.ts in a separate Node process (a stand-in monitor that can be killed). */
export function startMonitorProcess(options: object): ChildProcess {
  const child = join(__dirname, 'runner-child.ts');
  return spawn(process.execPath, ['-e', TS_LOADER, child, JSON.stringify(options)], {
    cwd: join(__dirname, '..', '..', '..'),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

/** Lets plain Node load our TypeScript sources: transpile each .ts file on require. */
const TS_LOADER = `
const fs = require('node:fs');
const ts = require('typescript');
require.extensions['.ts'] = (module, filename) => {
  const compilerOptions = {
    module: ts.ModuleKind.CommonJS,
    target: ts.ScriptTarget.ES2022,
    experimentalDecorators: true,
    emitDecoratorMetadata: true,
    esModuleInterop: true,
  };
  const source = fs.readFileSync(filename, 'utf8');
  module._compile(ts.transpileModule(source, { compilerOptions, fileName: filename }).outputText, filename);
};
require('reflect-metadata');
require(process.argv[1]);
`;
