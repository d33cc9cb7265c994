import { hostname } from 'node:os';
import { Settings } from './settings';
import { buildSettings } from './settings.builder';
import { applyEnvironmentOverrides } from './settings-env.overrides';
import { SettingsError } from './settings.error';
import { locateSettingsFile, readSettingsFile } from './settings-file.reader';
import { SettingsReader } from './settings.reader';

export interface LoadSettingsOptions {
  /** Settings file named on the command line (`--config`); it must exist. */
  configPath?: string;
  /** Environment to read `DORC_MONITOR_CONFIG` and overrides from. Default: `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Directory that relative paths resolve against. Default: `process.cwd()`. */
  cwd?: string;
  /** Default MonitorId. Default: `os.hostname()`. */
  hostname?: string;
}

/**
 * Reads the settings file (`configPath`, else `DORC_MONITOR_CONFIG`, else `./appsettings.json`,
 * else none), applies `AppSettings__...` environment overrides and `_FILE` secrets, and validates
 * the result once.
 *
 * @throws SettingsError listing every problem found, none quoting a secret.
 */
export function loadSettings(options: LoadSettingsOptions = {}): Settings {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const problems: string[] = [];

  const file = locateSettingsFile(options.configPath, env, cwd, problems);
  const root = file === undefined ? {} : readSettingsFile(file, problems);
  applyEnvironmentOverrides(root, env, problems);
  const reader = new SettingsReader(root, problems);
  const settings = buildSettings(reader, { cwd, hostname: options.hostname ?? hostname() });

  if (problems.length > 0) throw new SettingsError(problems);
  return settings;
}
