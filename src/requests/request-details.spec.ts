import { buildRequestDetailsXml, parseRequestDetails, RequestDetails } from './request-details';
import { RequestDetailsError } from './request-details.error';

const FULL: RequestDetails = {
  environmentName: 'QA & Test <EU>',
  components: ['Web', 'Db'],
  componentsToSkip: ['Db.Seed'],
  buildDetail: {
    buildId: '42',
    project: 'App',
    buildNumber: '007',
    dropLocation: '\\\\share\\drops\\app',
    uri: 'https://ci/b?x=1&y=2',
  },
  properties: [
    { name: 'ConnStr', value: 'Server=db;Password=$Secret$;a<b>c&d' },
    { name: 'Dollar', value: '$$literal$$' },
    { name: 'Padded', value: '  kept  ' },
    { name: 'Empty', value: '' },
  ],
};

describe('request details XML', () => {
  it('round-trips every field, keeping & < > $ and spaces in values', () => {
    expect(parseRequestDetails(buildRequestDetailsXml(FULL))).toEqual(FULL);
  });

  it('writes the original element names under DeploymentRequestDetail', () => {
    const xml = buildRequestDetailsXml(FULL);
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="utf-8"\?>\s*<DeploymentRequestDetail>/);
    expect(xml).toContain('<EnvironmentName>QA &amp; Test &lt;EU&gt;</EnvironmentName>');
    expect(xml).toMatch(
      /<Components>\s*<string>Web<\/string>\s*<string>Db<\/string>\s*<\/Components>/,
    );
    expect(xml).toMatch(
      /<PropertyPair>\s*<Name>Dollar<\/Name>\s*<Value>\$\$literal\$\$<\/Value>\s*<\/PropertyPair>/,
    );
    expect(xml).toMatch(
      /<BuildDetail>\s*<BuildId>42<\/BuildId>\s*<Project>App<\/Project>\s*<BuildNumber>007<\/BuildNumber>/,
    );
  });

  it('reads single-element lists as lists', () => {
    const details = parseRequestDetails(
      buildRequestDetailsXml({
        ...FULL,
        components: ['Only'],
        componentsToSkip: [],
        properties: [{ name: 'K', value: 'V' }],
      }),
    );
    expect(details.components).toEqual(['Only']);
    expect(details.componentsToSkip).toEqual([]);
    expect(details.properties).toEqual([{ name: 'K', value: 'V' }]);
  });

  it('reads what .NET XmlSerializer writes: namespaces, nil, empty and missing elements', () => {
    const xml = `<?xml version="1.0" encoding="utf-16"?>
<DeploymentRequestDetail xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">
  <BuildDetail>
    <BuildId>12</BuildId>
    <Project>App</Project>
    <BuildNumber>2024.1</BuildNumber>
    <DropLocation />
    <Uri xsi:nil="true" />
  </BuildDetail>
  <Components>
    <string>Web</string>
  </Components>
  <ComponentsToSkip />
  <EnvironmentName>  QA  </EnvironmentName>
</DeploymentRequestDetail>`;
    expect(parseRequestDetails(xml)).toEqual({
      environmentName: 'QA',
      components: ['Web'],
      componentsToSkip: [],
      buildDetail: {
        buildId: '12',
        project: 'App',
        buildNumber: '2024.1',
        dropLocation: undefined,
        uri: undefined,
      },
      properties: [],
    });
  });

  it.each([
    ['', /the XML is empty/],
    [
      '<DeploymentRequestDetail><EnvironmentName>QA</DeploymentRequestDetail>',
      /malformed XML at line 1, column \d+: .*EnvironmentName/,
    ],
    [
      '<Other><EnvironmentName>QA</EnvironmentName></Other>',
      /root element must be <DeploymentRequestDetail>/,
    ],
    [
      '<DeploymentRequestDetail><Components/></DeploymentRequestDetail>',
      /<EnvironmentName> is missing or empty/,
    ],
    [
      '<DeploymentRequestDetail><EnvironmentName> </EnvironmentName></DeploymentRequestDetail>',
      /<EnvironmentName> is missing or empty/,
    ],
    [
      '<DeploymentRequestDetail><EnvironmentName>QA</EnvironmentName><Properties><PropertyPair><Value>v</Value></PropertyPair></Properties></DeploymentRequestDetail>',
      /PropertyPair\[1\] has no <Name>/,
    ],
  ])('rejects %j with a reason', (xml, reason) => {
    expect(() => parseRequestDetails(xml)).toThrow(RequestDetailsError);
    expect(() => parseRequestDetails(xml)).toThrow(reason);
  });
});
