/** What a credential inside a connection string or URL is replaced with. */
export const CREDENTIAL_MASK = '***';

const URL_LIKE = /^[a-z][a-z0-9+.-]*:\/\//i;
const SECRET_PARAMETER = /password|pwd|secret|token/i;
/** `Password=...` or `Pwd=...` in a SQL Server connection string, quoted values included. */
const KEY_VALUE_SECRET =
  /(^|;)(\s*(?:password|pwd)\s*=\s*)("(?:[^"]|"")*"|'(?:[^']|'')*'|\{(?:[^}]|\}\})*\}|[^;]*)/gi;

/**
 * The connection string or URL with its credentials replaced by `***`:
 * `postgres://user:***@host/db`, `Server=db;User Id=sa;Password=***`. Anything else is kept.
 */
export function maskCredentials(text: string): string {
  if (!URL_LIKE.test(text)) return text.replace(KEY_VALUE_SECRET, `$1$2${CREDENTIAL_MASK}`);

  // A URL we cannot parse cannot be masked piece by piece.
  if (!URL.canParse(text)) return CREDENTIAL_MASK;
  const url = new URL(text);
  if (url.password) url.password = CREDENTIAL_MASK;
  for (const key of secretParameters(url)) url.searchParams.set(key, CREDENTIAL_MASK);
  return url.toString();
}

/** The credentials inside a connection string or URL, in every spelling a log line may show. */
export function embeddedSecrets(text: string): string[] {
  if (!URL_LIKE.test(text)) return keyValueSecrets(text);
  if (!URL.canParse(text)) return [];

  const url = new URL(text);
  const values = secretParameters(url).map((key) => url.searchParams.get(key) ?? '');
  return [url.password, safeDecode(url.password), ...values];
}

function secretParameters(url: URL): string[] {
  return [...new Set(url.searchParams.keys())].filter((key) => SECRET_PARAMETER.test(key));
}

function keyValueSecrets(text: string): string[] {
  return [...text.matchAll(KEY_VALUE_SECRET)].flatMap((match) => {
    const value = match[3].trim();
    return [value, unquote(value)];
  });
}

function unquote(value: string): string {
  const first = value.charAt(0);
  if (first === '"') return value.slice(1, -1).replaceAll('""', '"');
  if (first === "'") return value.slice(1, -1).replaceAll("''", "'");
  if (first === '{') return value.slice(1, -1).replaceAll('}}', '}');
  return value;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
