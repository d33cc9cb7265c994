import { LoggerService } from '@nestjs/common';
import { AppLogger } from './app-logger';

/** Routes Nest's own log calls (bootstrap, routes) through the monitor's logger. */
export class NestLoggerAdapter implements LoggerService {
  private readonly logger = new AppLogger('Nest');

  log(message: unknown, ...rest: unknown[]): void {
    this.logger.debug(String(message), { source: last(rest) });
  }

  error(message: unknown, ...rest: unknown[]): void {
    this.logger.error(String(message), { source: last(rest) });
  }

  warn(message: unknown, ...rest: unknown[]): void {
    this.logger.warn(String(message), { source: last(rest) });
  }

  debug(message: unknown, ...rest: unknown[]): void {
    this.logger.debug(String(message), { source: last(rest) });
  }

  verbose(message: unknown, ...rest: unknown[]): void {
    this.logger.debug(String(message), { source: last(rest) });
  }
}

function last(values: unknown[]): unknown {
  return values.length > 0 ? values[values.length - 1] : undefined;
}
