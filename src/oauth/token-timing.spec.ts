import { backoffDelayMs, refreshAfterMs, tokenLifetimeMs } from './token-timing';

describe('token timing', () => {
  describe('refreshAfterMs', () => {
    it('refreshes at 80 % of a long lifetime when that is earlier than the margin', () => {
      expect(refreshAfterMs(3_600_000, 30_000)).toBe(2_880_000);
    });

    it('refreshes the margin before expiry when that is earlier than 80 %', () => {
      expect(refreshAfterMs(100_000, 30_000)).toBe(70_000);
    });

    it('falls back to half the lifetime when the margin exceeds the lifetime', () => {
      expect(refreshAfterMs(10_000, 30_000)).toBe(5_000);
    });
  });

  describe('tokenLifetimeMs', () => {
    const now = 1_700_000_000_000;

    it('uses the shorter of expires_in and the JWT exp', () => {
      const token = {
        accessToken: 't',
        expiresInSeconds: 300,
        jwtExpiresAtSeconds: now / 1000 + 120,
      };
      expect(tokenLifetimeMs(token, now)).toBe(120_000);
    });

    it('ignores an exp that already lies in the past by our clock', () => {
      const token = {
        accessToken: 't',
        expiresInSeconds: 300,
        jwtExpiresAtSeconds: now / 1000 - 5,
      };
      expect(tokenLifetimeMs(token, now)).toBe(300_000);
    });

    it('is unknown when the server states neither', () => {
      expect(tokenLifetimeMs({ accessToken: 't' }, now)).toBeUndefined();
    });
  });

  describe('backoffDelayMs', () => {
    it('doubles each attempt up to the ceiling, with half of each step random', () => {
      const low = (attempt: number) => backoffDelayMs(attempt, 500, 8000, () => 0);
      const high = (attempt: number) => backoffDelayMs(attempt, 500, 8000, () => 1);

      expect([1, 2, 3, 4, 5, 6].map(low)).toEqual([250, 500, 1000, 2000, 4000, 4000]);
      expect([1, 2, 3, 4, 5, 6].map(high)).toEqual([500, 1000, 2000, 4000, 8000, 8000]);
    });
  });
});
