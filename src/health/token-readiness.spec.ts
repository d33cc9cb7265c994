import type { OAuthTokenState } from '../oauth/oauth-token.types';
import { tokenReadiness } from './token-readiness';

const T0 = Date.parse('2030-01-01T00:00:00Z');

/** A token obtained at T0 that lives `lifetimeSeconds`. */
function obtained(lifetimeSeconds: number): OAuthTokenState {
  return {
    lastRefreshAt: new Date(T0),
    validUntil: new Date(T0 + lifetimeSeconds * 1000),
    hasValidToken: true,
  };
}

const at = (seconds: number) => T0 + seconds * 1000;

describe('tokenReadiness', () => {
  it('is not ready before any token was obtained', () => {
    expect(tokenReadiness({ hasValidToken: false }, 30, T0)).toEqual({ ready: false });
  });

  it('stays ready through the moment an ordinary renewal falls due', () => {
    // 10 s tokens, margin 3 s: renewal due at 7 s with 3 s left.
    expect(tokenReadiness(obtained(10), 3, at(7)).ready).toBe(true);
    expect(tokenReadiness(obtained(10), 3, at(8.4)).ready).toBe(true);
  });

  it('turns unready once the renewal is overdue by half its headroom, before expiry', () => {
    expect(tokenReadiness(obtained(10), 3, at(8.6))).toEqual({ ready: false, secondsToExpiry: 1 });
  });

  it('is not ready with an expired token', () => {
    expect(tokenReadiness(obtained(10), 3, at(10.5))).toEqual({
      ready: false,
      secondsToExpiry: -1,
    });
  });

  it('uses the 80 % rule for long lifetimes: an hour-long token is unready 6 minutes before expiry', () => {
    expect(tokenReadiness(obtained(3600), 30, at(3600 - 361)).ready).toBe(true);
    expect(tokenReadiness(obtained(3600), 30, at(3600 - 359)).ready).toBe(false);
  });

  it('copes with a margin longer than the lifetime (renewal at half-life)', () => {
    // 10 s tokens, margin 30 s: renewal due at 5 s, unready after 7.5 s.
    expect(tokenReadiness(obtained(10), 30, at(7)).ready).toBe(true);
    expect(tokenReadiness(obtained(10), 30, at(8)).ready).toBe(false);
  });
});
