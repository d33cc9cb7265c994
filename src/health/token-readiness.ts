import type { OAuthTokenState } from '../oauth/oauth-token.types';
import { refreshAfterMs } from '../oauth/token-timing';

export interface TokenReadiness {
  ready: boolean;
  /** Whole seconds until the token expires; negative once it has. Absent without a token. */
  secondsToExpiry?: number;
}

/**
 * Whether the OAuth token still lets this replica count as ready.
 *
 * A renewal falls due with some validity left (at least the refresh margin) and an ordinary one
 * completes within milliseconds. Once half of that headroom has gone without a new token the
 * renewal is failing, so readiness turns 503 while the token is still valid, rather than when the
 * broker starts refusing it. Waiting for half, not for the due moment itself, keeps readiness
 * from flickering during every ordinary renewal.
 */
export function tokenReadiness(
  state: OAuthTokenState,
  refreshMarginSeconds: number,
  nowMs: number,
): TokenReadiness {
  const { validUntil, lastRefreshAt } = state;
  if (!validUntil || !lastRefreshAt) return { ready: false };

  const remainingMs = validUntil.getTime() - nowMs;
  const secondsToExpiry = Math.floor(remainingMs / 1000);
  const lifetimeMs = validUntil.getTime() - lastRefreshAt.getTime();
  if (remainingMs <= 0 || lifetimeMs <= 0) return { ready: false, secondsToExpiry };

  const headroomMs = lifetimeMs - refreshAfterMs(lifetimeMs, refreshMarginSeconds * 1000);
  return { ready: remainingMs > headroomMs / 2, secondsToExpiry };
}
