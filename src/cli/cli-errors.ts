import { SettingsError } from '../config/settings.error';

/** Exit code for an invalid configuration (sysexits EX_CONFIG). */
export const EXIT_CONFIG = 78;

/** A command that ran and failed for a reason the user can act on; the message says which. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export function exitCodeFor(error: unknown): number {
  if (error instanceof SettingsError) return EXIT_CONFIG;
  if (error instanceof CliError) return error.exitCode;
  return 1;
}

/**
 * Prints why the process stops: each settings problem on its own line, never a stack for users'
 * mistakes.
 */
export function reportFatal(error: unknown): void {
  if (error instanceof SettingsError) {
    process.stderr.write('Invalid configuration:\n');
    for (const problem of error.problems) process.stderr.write(`${problem}\n`);
    return;
  }
  if (error instanceof CliError) {
    process.stderr.write(`${error.message}\n`);
    return;
  }
  const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`Fatal: ${text}\n`);
}
