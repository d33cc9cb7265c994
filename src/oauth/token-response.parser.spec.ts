import { TokenRequestError } from './token-request.error';
import { jwtExpiry, parseTokenBody, readOAuthError } from './token-response.parser';

function jwt(payload: object): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'RS256' })}.${part(payload)}.signature`;
}

describe('token response parsing', () => {
  it('reads the access token, expires_in and the JWT exp', () => {
    const accessToken = jwt({ exp: 1_900_000_000 });
    const body = JSON.stringify({
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: 300,
    });

    expect(parseTokenBody(200, body)).toEqual({
      accessToken,
      expiresInSeconds: 300,
      jwtExpiresAtSeconds: 1_900_000_000,
    });
  });

  it.each([
    ['not JSON', '<html>login</html>', 'body is not a JSON object'],
    ['no token', '{"token_type":"Bearer"}', 'no access_token in the answer'],
    ['another token type', '{"access_token":"x","token_type":"mac"}', 'token_type mac'],
  ])('rejects an answer that is %s', (_case, body, reason) => {
    const error = (() => {
      try {
        parseTokenBody(200, body);
      } catch (e) {
        return e as TokenRequestError;
      }
      throw new Error('accepted');
    })();
    expect(error.failure).toBe('invalid-response');
    expect(error.message).toBe(`token endpoint sent an unusable response: ${reason}`);
  });

  it('treats an opaque token as having no exp claim', () => {
    expect(jwtExpiry('opaque-token')).toBeUndefined();
    expect(jwtExpiry(jwt({ sub: 'x' }))).toBeUndefined();
  });

  it('reads the OAuth error fields of a refusal, on one line', () => {
    const body = JSON.stringify({ error: 'invalid_grant', error_description: 'Bad\ncredentials' });

    expect(readOAuthError(body)).toEqual({
      error: 'invalid_grant',
      description: 'Bad credentials',
    });
    expect(readOAuthError('Forbidden')).toEqual({});
  });
});
