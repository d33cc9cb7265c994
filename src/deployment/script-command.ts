import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Used when the base environment has no PATH. */
export const DEFAULT_SEARCH_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** How to start a script (`argv[0]` absolute), or why it cannot be started. */
export type ScriptCommand = { argv: string[] } | { error: string };

/** Decides how a script runs from its extension: `.sh` with bash, `.ps1` with pwsh, else itself. */
export function scriptCommand(scriptPath: string, searchPath: string): ScriptCommand {
  if (!path.isAbsolute(scriptPath)) return { error: `script path is not absolute: ${scriptPath}` };
  const problem = fileProblem(scriptPath);
  if (problem) return { error: problem };

  const name = path.basename(scriptPath);
  const extension = path.extname(scriptPath).toLowerCase();
  if (extension === '.sh') return interpreted('bash', [scriptPath], name, searchPath);
  if (extension === '.ps1') {
    const args = ['-NoLogo', '-NoProfile', '-NonInteractive', '-File', scriptPath];
    return interpreted('pwsh', args, name, searchPath);
  }
  if (isExecutableFile(scriptPath)) return { argv: [scriptPath] };
  return {
    error: `${name} is neither a .sh nor a .ps1 script and is not executable; cannot run it (rename it or chmod +x it)`,
  };
}

/** The first executable file called `name` in the `:`-separated directories of `searchPath`. */
export function findOnPath(name: string, searchPath: string): string | undefined {
  for (const directory of searchPath.split(path.delimiter)) {
    if (!path.isAbsolute(directory)) continue;
    const candidate = path.join(directory, name);
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

/** Why a working directory cannot be used, or undefined when it can. */
export function directoryProblem(directory: string): string | undefined {
  const stat = statOrUndefined(directory);
  if (!stat) return `working directory not found: ${directory}`;
  if (!stat.isDirectory()) return `working directory is not a directory: ${directory}`;
  return undefined;
}

const signalResetSupport = new Map<string, boolean>();

/**
 * `env --default-signal` (coreutils >= 8.31) as a command prefix, or nothing when it is missing.
 * Bash starts background commands with SIGINT and SIGQUIT ignored, and an ignored signal stays
 * ignored across exec, in the script and all its children; this prefix gives them the defaults.
 */
export function signalResetPrefix(searchPath: string): string[] {
  const envPath = findOnPath('env', searchPath);
  if (!envPath) return [];
  let supported = signalResetSupport.get(envPath);
  if (supported === undefined) {
    const probe = spawnSync(envPath, ['--default-signal', 'true'], {
      stdio: 'ignore',
      timeout: 5000,
    });
    supported = probe.status === 0;
    signalResetSupport.set(envPath, supported);
  }
  return supported ? [envPath, '--default-signal'] : [];
}

function interpreted(
  program: string,
  args: string[],
  scriptName: string,
  searchPath: string,
): ScriptCommand {
  const programPath = findOnPath(program, searchPath);
  if (!programPath) return { error: `${program} is not installed; cannot run ${scriptName}` };
  return { argv: [programPath, ...args] };
}

function fileProblem(scriptPath: string): string | undefined {
  const stat = statOrUndefined(scriptPath);
  if (!stat) return `script not found: ${scriptPath}`;
  if (!stat.isFile()) return `script is not a file: ${scriptPath}`;
  return undefined;
}

function isExecutableFile(file: string): boolean {
  if (!statOrUndefined(file)?.isFile()) return false;
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false; // Not executable for us: the caller reports it or keeps searching.
  }
}

function statOrUndefined(file: string): fs.Stats | undefined {
  return fs.statSync(file, { throwIfNoEntry: false });
}
