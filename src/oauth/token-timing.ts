import { ParsedToken } from './token-response.parser';

/** Refresh once this share of the lifetime has passed, whatever the margin. */
const REFRESH_AT_SHARE = 0.8;

/**
 * How long the token lives, counted from when it was requested (the conservative end). Uses the
 * shorter of `expires_in` and the JWT `exp`; `exp` is trusted only when it lies in the future by
 * our clock, since a skewed clock could otherwise make a fresh token look expired.
 */
export function tokenLifetimeMs(token: ParsedToken, requestedAtMs: number): number | undefined {
  const candidates: number[] = [];
  if (token.expiresInSeconds !== undefined) candidates.push(token.expiresInSeconds * 1000);
  if (token.jwtExpiresAtSeconds !== undefined) {
    const untilExp = token.jwtExpiresAtSeconds * 1000 - requestedAtMs;
    if (untilExp > 0) candidates.push(untilExp);
  }
  return candidates.length > 0 ? Math.min(...candidates) : undefined;
}

/**
 * When to fetch the next token: after at most 80 % of the lifetime and no later than `marginMs`
 * before expiry. A lifetime shorter than the margin cannot honour both; half-life is the fallback.
 */
export function refreshAfterMs(lifetimeMs: number, marginMs: number): number {
  const byMargin = lifetimeMs - marginMs;
  if (byMargin <= 0) return lifetimeMs / 2;
  return Math.min(lifetimeMs * REFRESH_AT_SHARE, byMargin);
}

/**
 * Exponential backoff with "equal jitter": half the step is fixed, half random, so replicas that
 * failed together do not retry together, yet every wait grows.
 */
export function backoffDelayMs(
  attempt: number,
  baseMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const step = Math.min(maxMs, baseMs * 2 ** (attempt - 1));
  return step / 2 + (random() * step) / 2;
}
