import { TokenRequestError } from './token-request.error';

/** The parts of a successful token answer the client uses. */
export interface ParsedToken {
  accessToken: string;
  /** `expires_in`, when the server sent a positive number. */
  expiresInSeconds?: number;
  /** The JWT `exp` claim (seconds since the epoch), when the token is a JWT that has one. */
  jwtExpiresAtSeconds?: number;
}

/** The OAuth error fields of a refusal, when the body carries them. */
export interface OAuthErrorBody {
  error?: string;
  description?: string;
}

/** Server-provided text is shown in logs; keep it short and on one line. */
const MAX_SERVER_TEXT = 200;

export function parseTokenBody(status: number, body: string): ParsedToken {
  const json = parseJsonObject(body);
  if (!json) throw TokenRequestError.invalidResponse('body is not a JSON object', status);

  const accessToken = json.access_token;
  if (typeof accessToken !== 'string' || accessToken.length === 0) {
    throw TokenRequestError.invalidResponse('no access_token in the answer', status);
  }
  const tokenType = json.token_type;
  if (typeof tokenType === 'string' && tokenType.toLowerCase() !== 'bearer') {
    throw TokenRequestError.invalidResponse(`token_type ${serverText(tokenType)}`, status);
  }

  const expiresIn = Number(json.expires_in);
  return {
    accessToken,
    expiresInSeconds: Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : undefined,
    jwtExpiresAtSeconds: jwtExpiry(accessToken),
  };
}

export function readOAuthError(body: string): OAuthErrorBody {
  const json = parseJsonObject(body);
  if (!json) return {};
  const error = typeof json.error === 'string' ? serverText(json.error) : undefined;
  const described = json.error_description;
  const description = typeof described === 'string' ? serverText(described) : undefined;
  return { error, description };
}

/**
 * The `exp` claim of a JWT, read without verifying the signature: the broker verifies it; the
 * client only needs to know when to ask for the next one.
 */
export function jwtExpiry(token: string): number | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const payload = parseJsonObject(Buffer.from(parts[1], 'base64url').toString('utf8'));
  const exp = payload?.exp;
  return typeof exp === 'number' && Number.isFinite(exp) ? exp : undefined;
}

function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      return value as Record<string, unknown>;
    }
  } catch {
    // Not JSON: the caller reports the answer as unusable.
  }
  return undefined;
}

function serverText(text: string): string {
  // eslint-disable-next-line no-control-regex
  const oneLine = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return oneLine.length > MAX_SERVER_TEXT ? `${oneLine.slice(0, MAX_SERVER_TEXT)}...` : oneLine;
}
