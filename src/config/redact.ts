import { embeddedSecrets } from './embedded-credentials';
import { Settings } from './settings';
import { SECRET_MASK } from './settings.mask';

/**
 * Every secret value in `settings`: passwords, the client secret, and for a server database the
 * connection string with the credentials inside it. A SQLite file path is not a secret.
 * Longest first, so that a secret containing another is replaced whole.
 */
export function secretValues(settings: Settings): string[] {
  const { rabbitMq } = settings.highAvailability;
  const { database } = settings;
  const serverDatabase = database.type === 'sqlite' ? [] : [database.connectionString];
  const values = [
    rabbitMq.password,
    rabbitMq.oauth.password,
    rabbitMq.oauth.clientSecret,
    ...serverDatabase.flatMap((text) => [text, ...embeddedSecrets(text)]),
    ...embeddedSecrets(rabbitMq.oauth.tokenEndpoint ?? ''),
  ];
  return distinctLongestFirst(values);
}

/**
 * `text` with every occurrence of each secret replaced by `********`, also where the secret
 * appears JSON-escaped (a log line is often serialized JSON). The last line of defence: code
 * should not log secrets in the first place.
 */
export function redactSecrets(text: string, secrets: string[]): string {
  const spellings = secrets.flatMap((value) => [value, JSON.stringify(value).slice(1, -1)]);
  let result = text;
  for (const value of distinctLongestFirst(spellings)) {
    result = result.split(value).join(SECRET_MASK);
  }
  return result;
}

function distinctLongestFirst(values: (string | undefined)[]): string[] {
  const present = values.filter((value): value is string => !!value);
  return [...new Set(present)].sort((a, b) => b.length - a.length);
}
