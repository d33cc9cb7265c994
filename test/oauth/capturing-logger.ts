import { OAuthLogFields, OAuthLogger } from '../../src/oauth/oauth-token.client';

export interface CapturedLine {
  level: 'log' | 'warn' | 'debug' | 'error';
  message: string;
  fields?: OAuthLogFields;
}

/** Keeps every line a client logs, so tests can assert on events and on what never appears. */
export class CapturingLogger implements OAuthLogger {
  readonly lines: CapturedLine[] = [];

  log(message: string, fields?: OAuthLogFields): void {
    this.lines.push({ level: 'log', message, fields });
  }

  warn(message: string, fields?: OAuthLogFields): void {
    this.lines.push({ level: 'warn', message, fields });
  }

  debug(message: string, fields?: OAuthLogFields): void {
    this.lines.push({ level: 'debug', message, fields });
  }

  error(message: string, fields?: OAuthLogFields): void {
    this.lines.push({ level: 'error', message, fields });
  }

  /** Every line rendered as text, fields included. */
  text(): string {
    return this.lines.map((line) => `${line.message} ${JSON.stringify(line.fields)}`).join('\n');
  }

  messages(level: CapturedLine['level']): string[] {
    return this.lines.filter((line) => line.level === level).map((line) => line.message);
  }
}
