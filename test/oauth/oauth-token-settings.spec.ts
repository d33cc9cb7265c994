import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OAuthTokenClient } from '../../src/oauth/oauth-token.client';
import { TokenServer } from '../support/token-server';
import { settingsFor } from './oauth-settings.fixture';

describe('OAuthTokenClient settings and TLS', () => {
  const base = {
    grantType: 'password' as const,
    tokenEndpoint: 'https://auth.example.test/oauth/token',
    userName: 'svc',
    password: 'pw-value-1234',
    clientId: 'dorc-monitor',
    refreshMarginSeconds: 30,
    requestTimeoutSeconds: 10,
  };

  it('names missing settings without echoing any value', () => {
    expect(() => new OAuthTokenClient({ ...base, password: undefined, clientId: '' })).toThrow(
      'OAuth settings missing: ClientId, Password',
    );
    const cc = { ...base, grantType: 'client_credentials' as const };
    expect(() => new OAuthTokenClient(cc)).toThrow('OAuth settings missing: ClientSecret');
  });

  it('refuses plain http except on loopback', () => {
    const remote = { ...base, tokenEndpoint: 'http://auth.example.test/oauth/token' };
    expect(() => new OAuthTokenClient(remote)).toThrow('must use https');
    const local = { ...base, tokenEndpoint: 'http://127.0.0.1:1/oauth/token' };
    expect(() => new OAuthTokenClient(local)).not.toThrow();
  });

  it('reports an unreadable CA file', () => {
    const settings = { ...base, caFile: '/nonexistent/ca.pem' };
    expect(() => new OAuthTokenClient(settings)).toThrow(
      'OAuth CA file /nonexistent/ca.pem cannot be read: ENOENT',
    );
  });

  describe('over https with a private CA', () => {
    let dir: string;
    let server: TokenServer;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'dorc-oauth-tls-'));
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-days',
          '1',
          '-subj',
          '/CN=127.0.0.1',
          '-addext',
          'subjectAltName=IP:127.0.0.1',
          '-keyout',
          join(dir, 'key.pem'),
          '-out',
          join(dir, 'cert.pem'),
        ],
        { stdio: 'ignore' },
      );
      const tls = {
        key: readFileSync(join(dir, 'key.pem'), 'utf8'),
        cert: readFileSync(join(dir, 'cert.pem'), 'utf8'),
      };
      server = await TokenServer.start({ tls });
    });

    afterAll(async () => {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    it('verifies the certificate: an unknown issuer is refused', async () => {
      const client = new OAuthTokenClient(settingsFor(server), { maxAttempts: 1 });

      await expect(client.getToken()).rejects.toThrow(/self[- ]signed certificate/);
      expect(server.requestCount).toBe(0);
    });

    it('trusts the extra CA file in addition to the system CAs', async () => {
      const client = new OAuthTokenClient(settingsFor(server, { caFile: join(dir, 'cert.pem') }));

      await expect(client.getToken()).resolves.toEqual(expect.any(String));
      expect(server.requestCount).toBe(1);
    });
  });
});
