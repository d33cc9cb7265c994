import { fixedProperties, PropertyPair, resolveProperties } from './properties';

const pairs = (entries: Record<string, string>): PropertyPair[] =>
  Object.entries(entries).map(([name, value]) => ({ name, value }));

describe('fixedProperties', () => {
  it('gives the names of the original monitor, with IsProd as True/False', () => {
    const fixed = fixedProperties({
      requestId: 42,
      environmentName: 'DV 01',
      componentName: 'Web',
      buildNumber: '1.2.3',
      dropFolder: '\\\\drops\\web\\1.2.3',
      scriptRoot: '/opt/scripts',
      isProd: true,
      project: 'Shop',
      userName: 'DOMAIN\\alice',
      buildUri: 'vstfs:///Build/Build/7',
      buildId: 7,
    });

    expect(fixed).toEqual({
      DeploymentRequestId: '42',
      EnvironmentName: 'DV 01',
      ComponentName: 'Web',
      BuildNumber: '1.2.3',
      DropFolder: '\\\\drops\\web\\1.2.3',
      ScriptRoot: '/opt/scripts',
      IsProd: 'True',
      ProjectName: 'Shop',
      UserName: 'DOMAIN\\alice',
      BuildUri: 'vstfs:///Build/Build/7',
      BuildId: '7',
    });
  });

  it('sets what is unknown to an empty string, so every script sees the same names', () => {
    const fixed = fixedProperties({
      requestId: 1,
      environmentName: 'E',
      componentName: 'C',
      scriptRoot: '/s',
      isProd: false,
      buildNumber: null,
    });

    expect(fixed).toMatchObject({ IsProd: 'False', BuildNumber: '', BuildId: '', DropFolder: '' });
    expect(Object.keys(fixed)).toHaveLength(11);
  });
});

describe('resolveProperties', () => {
  it('lets request pairs win over fixed properties, matching names case-insensitively', () => {
    const { values, warnings } = resolveProperties(
      { EnvironmentName: 'DV 01', BuildNumber: '1' },
      pairs({ buildnumber: '2', Extra: 'x' }),
    );

    expect(values).toEqual({ EnvironmentName: 'DV 01', BuildNumber: '2', Extra: 'x' });
    expect(warnings).toEqual([]);
  });

  it('keeps the last of two request pairs that differ only in case, under the first spelling', () => {
    const { values } = resolveProperties({}, pairs({ Url: 'a', URL: 'b' }));

    expect(values).toEqual({ Url: 'b' });
  });

  it('replaces $Name$ with the resolved value of that property, recursively and in any case', () => {
    const { values } = resolveProperties(
      { EnvironmentName: 'DV01' },
      pairs({
        Host: 'web-$environmentname$.example.com',
        Url: 'https://$HOST$/api',
        Health: '$Url$/health',
      }),
    );

    expect(values.Host).toBe('web-DV01.example.com');
    expect(values.Url).toBe('https://web-DV01.example.com/api');
    expect(values.Health).toBe('https://web-DV01.example.com/api/health');
  });

  it('reads $$ as a literal $, also right before a reference', () => {
    const { values } = resolveProperties(
      { Name: 'n' },
      pairs({ Price: 'US$$5', Escaped: '$$Name$$', Glued: '$Name$$$', Share: '\\\\srv\\d$$\\x' }),
    );

    expect(values.Price).toBe('US$5');
    expect(values.Escaped).toBe('$Name$');
    expect(values.Glued).toBe('n$');
    expect(values.Share).toBe('\\\\srv\\d$\\x');
  });

  it('leaves unknown references and stray dollars as written, and still finds later references', () => {
    const { values, warnings } = resolveProperties(
      { Name: 'n' },
      pairs({ A: '$Foo$ and $Name$', B: 'costs $5, see $Name$', C: 'ends with $', D: '$' }),
    );

    expect(values).toMatchObject({
      A: '$Foo$ and n',
      B: 'costs $5, see n',
      C: 'ends with $',
      D: '$',
    });
    expect(warnings).toEqual([]);
  });

  it('cuts a reference cycle, leaving the closing reference as written, and reports it once', () => {
    const { values, warnings } = resolveProperties(
      {},
      pairs({ A: 'a[$B$]', B: 'b[$C$]', C: 'c[$a$]', D: 'd[$A$]', Self: 'x$Self$' }),
    );

    expect(values.A).toBe('a[b[c[$a$]]]');
    expect(values.B).toBe('b[c[a[$B$]]]');
    expect(values.D).toBe('d[a[b[c[$a$]]]]');
    expect(values.Self).toBe('x$Self$');
    expect(warnings).toEqual([
      'Property reference cycle A -> B -> C -> A; the reference is left as written.',
      'Property reference cycle Self -> Self; the reference is left as written.',
    ]);
  });

  it('leaves out names that are not environment variable names, with a warning, but resolves them', () => {
    const { values, warnings } = resolveProperties(
      {},
      pairs({ 'Web.Url': 'http://w', '1st': 'x', 'With Space': 'y', Ok_1: '$Web.Url$/a' }),
    );

    expect(values).toEqual({ Ok_1: 'http://w/a' });
    expect(warnings).toEqual([
      "Property 'Web.Url' is not a valid environment variable name; scripts do not see it.",
      "Property '1st' is not a valid environment variable name; scripts do not see it.",
      "Property 'With Space' is not a valid environment variable name; scripts do not see it.",
    ]);
  });

  it('stops a value from growing past what an environment can hold', () => {
    const doubling: Record<string, string> = { P0: 'x'.repeat(1024) };
    for (let i = 1; i <= 10; i++) doubling[`P${i}`] = `$P${i - 1}$$P${i - 1}$`;
    const { values, warnings } = resolveProperties({}, pairs(doubling));

    expect(values.P7.length).toBe(128 * 1024);
    expect(values.P8).toBe(`${values.P7}$P7$`);
    expect(values.P10.length).toBeLessThanOrEqual(128 * 1024 + 8);
    expect(warnings).toContain(
      "Property 'P8' would exceed 131072 characters; $P7$ is left as written.",
    );
  });
});
