/**
 * The configuration cannot be used. `problems` lists every one found, each as
 * `Key.Path: reason`; none contains a secret's value, so they are safe to print (exit code 78).
 */
export class SettingsError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.join('\n')}`);
    this.name = 'SettingsError';
  }
}
