/** Names of the monitor's own environment that scripts may see; nothing else leaks to them. */
const PASSED_THROUGH = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR', 'USER', 'SHELL'];

/**
 * The environment every script starts from. The monitor's own variables hold secrets (OAuth
 * password, connection strings), so only a short list of harmless ones is passed on.
 */
export function scriptBaseEnv(source: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of PASSED_THROUGH) {
    const value = source[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}
