import { createHash, randomBytes } from 'node:crypto';
import { LOCK_QUEUE_PREFIX, lockQueueName } from './lock-queue-name';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('lockQueueName', () => {
  it.each(['Production', 'Staging UK', 'Prod-東京-ü', 'qa.env_1/2 (blue)', ''])(
    'uses the guide name dorc.lock.env:{name} for the printable name %j',
    (environment) => {
      expect(lockQueueName(environment)).toBe(`dorc.lock.env:${environment}`);
    },
  );

  it('keeps a name of exactly 241 UTF-8 bytes as it is and maps one of 242', () => {
    const fits = 'é'.repeat(120) + 'x'; // 241 bytes
    const tooLong = 'é'.repeat(121); // 242 bytes

    expect(lockQueueName(fits)).toBe(LOCK_QUEUE_PREFIX + fits);
    expect(Buffer.byteLength(lockQueueName(fits))).toBe(255);
    expect(lockQueueName(tooLong)).toContain('~');
  });

  it('maps a long name to a readable prefix, ~ and the SHA-256 of its UTF-8 bytes', () => {
    const environment = 'A'.repeat(300);

    const name = lockQueueName(environment);

    const hash = sha256(Buffer.from(environment, 'utf8'));
    expect(name).toBe(`${LOCK_QUEUE_PREFIX}${'A'.repeat(64)}~${hash}`);
  });

  it.each([
    ['a control character', 'prod\u0001'],
    ['a tab', 'prod\tuk'],
    ['a line break', 'prod\nuk'],
    ['a non-breaking space', 'prod\u00a0uk'],
    ['a zero-width joiner', 'prod\u200duk'],
    ['a NUL', 'prod\u0000'],
    ['a tilde', 'prod~1'],
    ['a private-use character', 'prod\ue000'],
  ])('maps a name with %s', (_, environment) => {
    const name = lockQueueName(environment);

    expect(name).toMatch(/^dorc\.lock\.env:[A-Za-z0-9._-]*~[0-9a-f]{64}$/);
    expect(name).toContain(sha256(Buffer.from(environment, 'utf8')));
  });

  it('gives lone surrogates distinct names although UTF-8 would turn both into U+FFFD', () => {
    expect(Buffer.from('\ud800').equals(Buffer.from('\udc00'))).toBe(true);

    expect(lockQueueName('\ud800')).not.toBe(lockQueueName('\udc00'));
    expect(lockQueueName('\ud800')).not.toBe(lockQueueName('\ufffd'));
  });

  it('never lets a name shaped like a mapped one collide with the name it imitates', () => {
    const original = 'prod\tuk';
    const mapped = lockQueueName(original);
    const imitation = mapped.slice(LOCK_QUEUE_PREFIX.length);

    expect(lockQueueName(imitation)).not.toBe(mapped);
    expect(lockQueueName(imitation)).toContain('~');
  });

  it('keeps every queue name within 255 bytes and distinct across many names', () => {
    const names = manyNames();
    const queues = new Map<string, string>();

    for (const environment of names) {
      const queue = lockQueueName(environment);
      expect(Buffer.byteLength(queue, 'utf8')).toBeLessThanOrEqual(255);
      expect(queue.startsWith(LOCK_QUEUE_PREFIX)).toBe(true);
      const earlier = queues.get(queue);
      if (earlier !== undefined)
        throw new Error(
          `${JSON.stringify(earlier)} and ${JSON.stringify(environment)} share ${queue}`,
        );
      queues.set(queue, environment);
    }
    expect(queues.size).toBe(new Set(names).size);
  });

  it('is stable: the same name always gives the same queue', () => {
    const environment = 'x'.repeat(500) + '\u0007';
    expect(lockQueueName(environment)).toBe(lockQueueName(String(environment)));
  });
});

/** Plain, long, Unicode, control-character and imitation names, plus random ones. */
function manyNames(): string[] {
  const names = new Set<string>(['', ' ', '~', 'Production', 'production', 'PRODUCTION']);
  for (let i = 0; i < 300; i++) {
    names.add(`env-${i}`);
    names.add(`env-${i}`.padEnd(241 + (i % 5), 'x'));
    names.add(`env\u0000${i}`);
    names.add(`東京-${i}-ü`);
    names.add(randomBytes(8 + (i % 200)).toString('base64'));
    names.add(String.fromCharCode(...randomBytes(1 + (i % 40))));
  }
  for (const environment of [...names].slice(0, 600)) {
    const mapped = lockQueueName(environment + '\t').slice(LOCK_QUEUE_PREFIX.length);
    names.add(mapped); // a name that looks exactly like a mapped one
    names.add(mapped.replace('~', ''));
  }
  return [...names];
}
