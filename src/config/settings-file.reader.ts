import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isJsonObject, JsonObject } from './json-tree';
import { parseJsonWithComments } from './json-with-comments';

export const CONFIG_ENV_VARIABLE = 'DORC_MONITOR_CONFIG';
const LOCAL_FILE = 'appsettings.json';

/**
 * The settings file to read: `configPath`, else `DORC_MONITOR_CONFIG`, else
 * `<cwd>/appsettings.json` when present, else none. A file named explicitly must exist: its
 * absence is a problem.
 */
export function locateSettingsFile(
  configPath: string | undefined,
  env: NodeJS.ProcessEnv,
  cwd: string,
  problems: string[],
): string | undefined {
  if (configPath) return mustExist('ConfigFile', resolve(cwd, configPath), problems);

  const fromEnv = env[CONFIG_ENV_VARIABLE];
  if (fromEnv) return mustExist(CONFIG_ENV_VARIABLE, resolve(cwd, fromEnv), problems);

  const local = join(cwd, LOCAL_FILE);
  return existsSync(local) ? local : undefined;
}

/** The file's top-level object; `{}` (with a problem recorded) when it cannot be used. */
export function readSettingsFile(path: string, problems: string[]): JsonObject {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    problems.push(`ConfigFile: cannot read ${path} (${errorCode(error)})`);
    return {};
  }

  const parsed = parseJsonWithComments(text);
  if (!parsed.ok) {
    const where =
      parsed.line === undefined ? '' : ` at line ${parsed.line}, column ${parsed.column}`;
    problems.push(`ConfigFile: ${path} is not valid JSON${where}`);
    return {};
  }
  if (!isJsonObject(parsed.value)) {
    problems.push(`ConfigFile: ${path} must hold a JSON object`);
    return {};
  }
  return parsed.value;
}

function mustExist(key: string, path: string, problems: string[]): string | undefined {
  if (existsSync(path)) return path;
  problems.push(`${key}: ${path} does not exist`);
  return undefined;
}

export function errorCode(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code ?? 'unreadable';
}
