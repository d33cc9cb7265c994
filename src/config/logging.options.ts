import type { LoggerOptions } from '../logging/app-logger';

/**
 * Log format and level from `LOG_FORMAT` (json | text) and `LOG_LEVEL` (debug | info | warn |
 * error). Without LOG_FORMAT: text on a terminal, JSON otherwise (containers, files, pipes).
 */
export function loggingOptions(
  monitorId: string,
  secrets: string[],
  env: NodeJS.ProcessEnv = process.env,
  isTty = process.stdout.isTTY === true,
): LoggerOptions {
  const format = (env.LOG_FORMAT ?? '').toLowerCase();
  const json = format === 'json' || (format !== 'text' && !isTty);
  const wanted = (env.LOG_LEVEL ?? 'info').toLowerCase();
  const level = (
    ['debug', 'info', 'warn', 'error'].includes(wanted) ? wanted : 'info'
  ) as LoggerOptions['level'];
  return { monitorId, json, level, secrets };
}
