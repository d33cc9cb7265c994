import { OAuthSettings } from '../config/settings';

/**
 * The form body of a token request (RFC 6749 4.3 and 4.4), with the client secret sent in the
 * body (`client_secret_post`), which Keycloak, Entra ID and UAA all accept.
 */
export function tokenRequestForm(settings: OAuthSettings): URLSearchParams {
  const form = new URLSearchParams({ grant_type: settings.grantType });
  if (settings.grantType === 'password') {
    form.set('username', settings.userName ?? '');
    form.set('password', settings.password ?? '');
  }
  form.set('client_id', settings.clientId ?? '');
  if (settings.clientSecret) form.set('client_secret', settings.clientSecret);
  if (settings.scope) form.set('scope', settings.scope);
  return form;
}

/** Fails fast on settings no token request could succeed with; names keys, never values. */
export function assertUsableOAuthSettings(s: OAuthSettings): void {
  const missing: string[] = [];
  if (!s.tokenEndpoint) missing.push('TokenEndpoint');
  if (!s.clientId) missing.push('ClientId');
  if (s.grantType === 'password' && !s.userName) missing.push('UserName');
  if (s.grantType === 'password' && !s.password) missing.push('Password');
  if (s.grantType === 'client_credentials' && !s.clientSecret) missing.push('ClientSecret');
  if (missing.length > 0) throw new Error(`OAuth settings missing: ${missing.join(', ')}`);
  if (!(s.requestTimeoutSeconds > 0)) throw new Error('OAuth RequestTimeoutSeconds must be > 0');
  if (!(s.refreshMarginSeconds >= 0)) throw new Error('OAuth RefreshMarginSeconds must be >= 0');
}

/** Replaces every occurrence of each non-empty secret with `***`. */
export function redactSecrets(text: string, secrets: (string | undefined)[]): string {
  return secrets.reduce<string>(
    (out, secret) => (secret ? out.split(secret).join('***') : out),
    text,
  );
}
