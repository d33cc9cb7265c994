import { join } from 'node:path';
import { load, TempDirs } from '../../test/config/settings.helpers';
import { redactSecrets, secretValues } from './redact';

const temp = new TempDirs();
afterEach(() => temp.cleanup());

describe('secretValues', () => {
  it('lists every secret in the settings, longest first', () => {
    const env = {
      AppSettings__Database__Type: 'postgres',
      AppSettings__Database__ConnectionString: 'postgres://dorc:p%40ss@db/dorc',
      AppSettings__HighAvailability__RabbitMQ__Password: 'plain-pw',
      AppSettings__HighAvailability__RabbitMQ__OAuth__Password: 'oauth-pw',
      AppSettings__HighAvailability__RabbitMQ__OAuth__ClientSecret: 'client-secret',
    };

    expect(secretValues(load(temp.create(), { env }))).toEqual([
      'postgres://dorc:p%40ss@db/dorc',
      'client-secret',
      'plain-pw',
      'oauth-pw',
      'p%40ss',
      'p@ss',
    ]);
  });

  it('finds nothing secret in the defaults: a SQLite path is not a secret', () => {
    const settings = load(temp.create());

    expect(secretValues(settings)).toEqual([]);
    expect(settings.database.connectionString).toContain(join('data', 'dorc-monitor.sqlite'));
  });

  it('takes the password out of a SQL Server connection string', () => {
    const cs = 'Server=sql;User Id=dorc;Password="se;cret"';
    const env = {
      AppSettings__Database__Type: 'mssql',
      ConnectionStrings__DOrcConnectionString: cs,
    };

    expect(secretValues(load(temp.create(), { env }))).toEqual([cs, '"se;cret"', 'se;cret']);
  });
});

describe('redactSecrets', () => {
  it('replaces every occurrence of every secret', () => {
    const text = 'login hunter2 failed; retry with hunter2 and tok-123';

    expect(redactSecrets(text, ['hunter2', 'tok-123'])).toBe(
      'login ******** failed; retry with ******** and ********',
    );
  });

  it('replaces a longer secret whole before a shorter one inside it', () => {
    expect(redactSecrets('url=postgres://u:pw12@h/db', ['pw12', 'postgres://u:pw12@h/db'])).toBe(
      'url=********',
    );
  });

  it('replaces a secret that a JSON log line has escaped', () => {
    const secret = 'quo"te\\slash';
    const line = JSON.stringify({ msg: `bad ${secret}` });

    expect(redactSecrets(line, [secret])).toBe('{"msg":"bad ********"}');
  });

  it('ignores empty secrets and leaves other text alone', () => {
    expect(redactSecrets('nothing to hide', ['', 'absent'])).toBe('nothing to hide');
  });
});
