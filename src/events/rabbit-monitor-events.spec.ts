import { environmentRoutingPart, lockRoutingKey, requestRoutingKey } from './rabbit-monitor-events';

describe('event routing keys', () => {
  it('names request events by id and status', () => {
    expect(requestRoutingKey(42, 'Completed')).toBe('request.42.Completed');
  });

  it('keeps a printable environment name as it is, dots included', () => {
    expect(lockRoutingKey('Production', 'released')).toBe('lock.Production.released');
    expect(lockRoutingKey('eu.prod', 'acquired')).toBe('lock.eu.prod.acquired');
    expect(lockRoutingKey('QA 2 (blue)', 'lost')).toBe('lock.QA 2 (blue).lost');
  });

  it('maps a name that is too long or not printable, stably and within 255 bytes', () => {
    const longest = 'é'.repeat(120); // 240 UTF-8 bytes, within the 241 kept as they are
    expect(environmentRoutingPart(longest)).toBe(longest);
    const tooLong = `${longest}x`.repeat(2);
    const mapped = environmentRoutingPart(tooLong);
    expect(mapped).not.toBe(tooLong);
    expect(mapped).toMatch(/^[A-Za-z0-9._-]*~[0-9a-f]{64}$/);
    expect(environmentRoutingPart(tooLong)).toBe(mapped);
    for (const name of [longest, tooLong, 'tab\there', 'a~b']) {
      for (const event of ['acquired', 'released', 'lost'] as const) {
        expect(Buffer.byteLength(lockRoutingKey(name, event))).toBeLessThanOrEqual(255);
      }
    }
    expect(environmentRoutingPart('tab\there')).not.toBe(environmentRoutingPart('tab\nhere'));
  });
});
