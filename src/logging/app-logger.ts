import pino from 'pino';
import pretty from 'pino-pretty';
import { redactSecrets } from '../config/redact';

export type LogFields = Record<string, unknown>;

export interface LoggerOptions {
  monitorId: string;
  json: boolean;
  level: 'debug' | 'info' | 'warn' | 'error';
  /** Values that must never be printed (passwords, tokens...): replaced by `***`. */
  secrets?: string[];
}

let root: pino.Logger | undefined;
let secretValues: string[] = [];

function build(options: LoggerOptions): pino.Logger {
  const base = { monitorId: options.monitorId };
  const hooks = { streamWrite: (line: string) => redactSecrets(line, secretValues) };
  const config: pino.LoggerOptions = { level: options.level, base, hooks };
  if (options.json) return pino(config, pino.destination({ sync: true }));
  const stream = pretty({ colorize: false, sync: true, ignore: 'pid,hostname', singleLine: true });
  return pino(config, stream);
}

/**
 * The monitor's logger: a constant message plus structured fields. Configure once at start-up;
 * before that (tests, CLI) it logs JSON at `warn` level without a monitor id.
 */
export class AppLogger {
  static configure(options: LoggerOptions): void {
    secretValues = (options.secrets ?? []).filter((s) => s.length >= 4);
    root = build(options);
  }

  /** Adds a secret to the redaction list (e.g. a freshly issued token). */
  static addSecret(value: string): void {
    if (value.length >= 4 && !secretValues.includes(value)) secretValues.push(value);
  }

  static forgetSecret(value: string): void {
    secretValues = secretValues.filter((s) => s !== value);
  }

  private static root(): pino.Logger {
    root ??= pino({ level: 'warn' });
    return root;
  }

  constructor(private readonly context: string) {}

  debug(message: string, fields?: LogFields): void {
    AppLogger.root().debug({ context: this.context, ...fields }, message);
  }

  log(message: string, fields?: LogFields): void {
    AppLogger.root().info({ context: this.context, ...fields }, message);
  }

  warn(message: string, fields?: LogFields): void {
    AppLogger.root().warn({ context: this.context, ...fields }, message);
  }

  error(message: string, fields?: LogFields): void {
    AppLogger.root().error({ context: this.context, ...fields }, message);
  }
}
