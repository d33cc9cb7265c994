/** What `npm run soak -- --minutes N [...]` accepts. */
export interface SoakOptions {
  /** Length of the fault phase. */
  minutes: number;
  replicas: number;
  environments: number;
  /** Requests submitted per second. */
  rate: number;
  /** Longest wait, after the faults stop, for every request to reach a final status. */
  drainSeconds: number;
  heartbeatSeconds: number;
  requestLeaseSeconds: number;
  pollMs: number;
  logLevel: string;
}

const DEFAULTS: SoakOptions = {
  minutes: 2,
  replicas: 3,
  environments: 12,
  rate: 2,
  drainSeconds: 120,
  heartbeatSeconds: 5,
  requestLeaseSeconds: 10,
  pollMs: 1000,
  logLevel: 'debug',
};

const FLAGS: Record<string, keyof SoakOptions> = {
  '--minutes': 'minutes',
  '--replicas': 'replicas',
  '--environments': 'environments',
  '--rate': 'rate',
  '--drain-seconds': 'drainSeconds',
  '--heartbeat-seconds': 'heartbeatSeconds',
  '--lease-seconds': 'requestLeaseSeconds',
  '--poll-ms': 'pollMs',
  '--log-level': 'logLevel',
};

export function parseSoakOptions(argv: string[]): SoakOptions {
  const options: SoakOptions = { ...DEFAULTS };
  for (let i = 0; i < argv.length; i += 2) {
    const key = FLAGS[argv[i]];
    if (!key) throw new Error(`unknown option ${argv[i]} (known: ${Object.keys(FLAGS).join(' ')})`);
    const raw = argv[i + 1];
    if (key === 'logLevel') options.logLevel = raw;
    else options[key] = positive(argv[i], raw);
  }
  if (options.replicas < 2)
    throw new Error('--replicas must be at least 2: faults need a survivor');
  return options;
}

function positive(flag: string, raw: string | undefined): number {
  const value = Number(raw);
  if (!(value > 0)) throw new Error(`${flag} needs a positive number, got '${raw}'`);
  return value;
}
