import {
  ConnectionStringError,
  parseSqlServerConnectionString as parse,
} from './sql-server-connection-string';

describe('parseSqlServerConnectionString', () => {
  it('reads the usual ADO.NET string', () => {
    const c = parse(
      'Server=db.example.com,1433;Database=DOrc;User Id=svc;Password=s3cret;Encrypt=true;TrustServerCertificate=false',
    );
    expect(c).toEqual({
      host: 'db.example.com',
      port: 1433,
      instanceName: undefined,
      database: 'DOrc',
      userName: 'svc',
      password: 's3cret',
      encrypt: true,
      trustServerCertificate: false,
      connectTimeoutMs: undefined,
      applicationName: undefined,
    });
  });

  it('verifies the server certificate and encrypts unless told otherwise', () => {
    const c = parse('Server=db;Database=x');
    expect(c.encrypt).toBe(true);
    expect(c.trustServerCertificate).toBe(false);
    expect(parse('Server=db;TrustServerCertificate=True').trustServerCertificate).toBe(true);
    expect(parse('Server=db;Encrypt=False').encrypt).toBe(false);
  });

  it('accepts synonyms, any case, spacing and a trailing semicolon', () => {
    const c = parse(
      ' data source = tcp:sql01\\PROD ; initial catalog=DOrc; UID=u; PWD=p; Connect Timeout=15; Application Name=mon; ',
    );
    expect(c).toMatchObject({
      host: 'sql01',
      instanceName: 'PROD',
      port: undefined,
      database: 'DOrc',
      userName: 'u',
      password: 'p',
      connectTimeoutMs: 15000,
      applicationName: 'mon',
    });
  });

  it('maps the local-machine names to localhost', () => {
    expect(parse('Server=.').host).toBe('localhost');
    expect(parse('Server=(local),1500').host).toBe('localhost');
  });

  it("reads quoted values containing ';', '=' and doubled quotes", () => {
    expect(parse(`Server=db;Password="a;b=c""d"`).password).toBe('a;b=c"d');
    expect(parse(`Server=db;Password='x;y'`).password).toBe('x;y');
    expect(parse('Server=db;Password={p;}}q}').password).toBe('p;}q');
  });

  it('ignores keys this driver does not need', () => {
    expect(parse('Server=db;MultipleActiveResultSets=True;Pooling=false').host).toBe('db');
  });

  it.each([
    ['Database=x', /Server .* is missing/],
    ['Server=db,notaport', /port 'notaport'/],
    ['Server=db;Encrypt=maybe', /Encrypt must be true or false/],
    ['Server=db;Integrated Security=SSPI', /Integrated Security is not supported/],
    ['Server=db;Password="open', /no closing "/],
  ])('rejects %s', (text, reason) => {
    expect(() => parse(text)).toThrow(ConnectionStringError);
    expect(() => parse(text)).toThrow(reason);
  });

  it('never repeats a password in its errors, even one that was not quoted', () => {
    const text = 'Server=db;User Id=u;Password=Hunter2;Tail;Encrypt=true';
    expect(() => parse(text)).toThrow(/after 'password' is not Key=Value/);
    try {
      parse(text);
    } catch (error) {
      expect(String(error)).not.toMatch(/Hunter2|Tail/);
    }
  });
});
