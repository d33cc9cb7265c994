/**
 * The few logging calls the lock needs. Nest's `Logger` or a pino child fits behind it; the lock
 * never passes a secret in either argument.
 */
export interface LockLogger {
  log(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  debug(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

const ignore = (): void => undefined;

/** Drops everything: the default when no logger is given. */
export const SILENT_LOCK_LOGGER: LockLogger = {
  log: ignore,
  warn: ignore,
  debug: ignore,
  error: ignore,
};
