/** The parts of an ADO.NET SQL Server connection string the monitor uses. */
export interface SqlServerConnection {
  host: string;
  /** Absent when a named instance is used (the SQL Browser service finds its port). */
  port?: number;
  instanceName?: string;
  database?: string;
  userName?: string;
  password?: string;
  /** Default true, as in Microsoft.Data.SqlClient 4+. */
  encrypt: boolean;
  /** Default false: the server certificate is verified unless the string says otherwise. */
  trustServerCertificate: boolean;
  connectTimeoutMs?: number;
  applicationName?: string;
}

/** Thrown for a connection string the monitor cannot use; never carries a secret's value. */
export class ConnectionStringError extends Error {
  constructor(reason: string) {
    super(`Database.ConnectionString: ${reason}`);
    this.name = 'ConnectionStringError';
  }
}

const SYNONYMS: Record<string, string> = {
  server: 'server',
  'data source': 'server',
  address: 'server',
  addr: 'server',
  'network address': 'server',
  database: 'database',
  'initial catalog': 'database',
  'user id': 'user',
  uid: 'user',
  user: 'user',
  password: 'password',
  pwd: 'password',
  encrypt: 'encrypt',
  trustservercertificate: 'trust',
  'trust server certificate': 'trust',
  'connect timeout': 'timeout',
  'connection timeout': 'timeout',
  timeout: 'timeout',
  'application name': 'app',
  app: 'app',
  'integrated security': 'integrated',
  trusted_connection: 'integrated',
};

/**
 * Parses `Server=host,port;Database=x;User Id=u;Password=p;Encrypt=true;...`. Keys are
 * case-insensitive with the usual ADO.NET synonyms; values may be quoted with `"`, `'` or `{}`
 * (a doubled quote inside is a literal one). Unknown keys (Pooling, MultipleActiveResultSets...)
 * do not matter to this driver and are ignored.
 */
export function parseSqlServerConnectionString(text: string): SqlServerConnection {
  const pairs = splitPairs(text);
  if (
    pairs.get('integrated') !== undefined &&
    parseBool('Integrated Security', pairs.get('integrated')!)
  ) {
    throw new ConnectionStringError(
      'Integrated Security is not supported; use User Id and Password',
    );
  }
  const server = pairs.get('server');
  if (!server) throw new ConnectionStringError('Server (or Data Source) is missing');

  return {
    ...parseServer(server),
    database: pairs.get('database'),
    userName: pairs.get('user'),
    password: pairs.get('password'),
    encrypt: parseBool('Encrypt', pairs.get('encrypt') ?? 'true'),
    trustServerCertificate: parseBool('TrustServerCertificate', pairs.get('trust') ?? 'false'),
    connectTimeoutMs: parseTimeout(pairs.get('timeout')),
    applicationName: pairs.get('app'),
  };
}

function splitPairs(text: string): Map<string, string> {
  const pairs = new Map<string, string>();
  let rest = text.trim();
  let previous = 'the start';
  while (rest.length > 0) {
    const eq = rest.indexOf('=');
    const key = eq < 0 ? '' : rest.slice(0, eq).trim().toLowerCase().replace(/\s+/g, ' ');
    // Echo no text here: a stray segment is usually the tail of an unquoted password.
    if (!key || key.includes(';')) {
      throw new ConnectionStringError(
        `text after '${previous}' is not Key=Value; quote values that contain ';'`,
      );
    }
    const { value, next } = readValue(rest, eq + 1, key);
    const canonical = SYNONYMS[key];
    if (canonical) pairs.set(canonical, value);
    previous = key;
    rest = rest.slice(next).replace(/^[\s;]+/, '');
  }
  return pairs;
}

/** Reads one value starting at `start`; returns it and the index just after its `;`. */
function readValue(text: string, start: number, key: string): { value: string; next: number } {
  let i = start;
  while (text[i] === ' ') i++;
  const open = text[i];
  const close = open === '{' ? '}' : open;
  if (open !== '"' && open !== "'" && open !== '{') {
    const end = text.indexOf(';', i);
    const stop = end < 0 ? text.length : end;
    return { value: text.slice(i, stop).trim(), next: stop };
  }
  let value = '';
  for (let j = i + 1; j < text.length; j++) {
    if (text[j] !== close) {
      value += text[j];
    } else if (text[j + 1] === close) {
      value += close;
      j++;
    } else {
      return { value, next: j + 1 };
    }
  }
  throw new ConnectionStringError(`the value of '${key}' has no closing ${close}`);
}

function parseServer(server: string): Pick<SqlServerConnection, 'host' | 'port' | 'instanceName'> {
  const address = server.replace(/^tcp:/i, '').trim();
  const [hostPart, portPart] = address.split(',').map((s) => s.trim());
  const [host, instanceName] = hostPart.split('\\');
  if (!host) throw new ConnectionStringError('Server has no host name');
  return {
    host: normaliseHost(host),
    port: parsePort(portPart),
    instanceName: instanceName || undefined,
  };
}

function parsePort(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new ConnectionStringError(`Server port '${text}' is not a TCP port`);
  }
  return port;
}

/** `.`, `(local)` and `localhost` all mean this machine to SqlClient. */
function normaliseHost(host: string): string {
  return host === '.' || host.toLowerCase() === '(local)' ? 'localhost' : host;
}

function parseBool(name: string, value: string): boolean {
  const v = value.trim().toLowerCase();
  if (['true', 'yes', 'mandatory', 'strict', 'sspi'].includes(v)) return true;
  if (['false', 'no', 'optional'].includes(v)) return false;
  throw new ConnectionStringError(`${name} must be true or false, not '${value}'`);
}

function parseTimeout(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds < 0) {
    throw new ConnectionStringError(`Connect Timeout must be a number of seconds, not '${value}'`);
  }
  return seconds * 1000;
}
