import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';
import { RequestDetailsError } from './request-details.error';

export { RequestDetailsError };

/** The build a request deploys; every field is optional free text in the original. */
export interface BuildDetail {
  buildId?: string;
  project?: string;
  buildNumber?: string;
  dropLocation?: string;
  uri?: string;
}

export interface PropertyPair {
  name: string;
  value: string;
}

/** The original `DeploymentRequestDetail` XML document, as data. */
export interface RequestDetails {
  environmentName: string;
  components: string[];
  componentsToSkip: string[];
  buildDetail: BuildDetail;
  /** In document order; a later pair with the same name wins when resolving. */
  properties: PropertyPair[];
}

const LIST_ITEMS = new Set(['string', 'PropertyPair']);

const parser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  // Keep text as text: "007" is a build number, not 7; spaces inside a value are kept.
  parseTagValue: false,
  trimValues: false,
  isArray: (tagName) => LIST_ITEMS.has(tagName),
});

const builder = new XMLBuilder({ format: true, ignoreAttributes: false });

/** Serialises request details to the original XML (UTF-8 declaration, escaped text). */
export function buildRequestDetailsXml(details: RequestDetails): string {
  const b = details.buildDetail;
  return builder.build({
    '?xml': { '@_version': '1.0', '@_encoding': 'utf-8' },
    DeploymentRequestDetail: {
      EnvironmentName: details.environmentName,
      Components: { string: details.components },
      ComponentsToSkip: { string: details.componentsToSkip },
      BuildDetail: {
        BuildId: b.buildId ?? '',
        Project: b.project ?? '',
        BuildNumber: b.buildNumber ?? '',
        DropLocation: b.dropLocation ?? '',
        Uri: b.uri ?? '',
      },
      Properties: {
        PropertyPair: details.properties.map((p) => ({ Name: p.name, Value: p.value })),
      },
    },
  });
}

/** Parses the XML written by DOrc (or `buildRequestDetailsXml`); throws `RequestDetailsError`. */
export function parseRequestDetails(xml: string): RequestDetails {
  if (!xml.trim()) throw new RequestDetailsError('the XML is empty');
  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    const { msg, line, col } = valid.err;
    throw new RequestDetailsError(`malformed XML at line ${line}, column ${col}: ${msg}`);
  }

  const root = (parser.parse(xml) as Record<string, unknown>).DeploymentRequestDetail;
  if (!isElement(root)) {
    throw new RequestDetailsError('the root element must be <DeploymentRequestDetail>');
  }
  const environmentName = text(root.EnvironmentName)?.trim();
  if (!environmentName) throw new RequestDetailsError('<EnvironmentName> is missing or empty');

  return {
    environmentName,
    components: names(root.Components),
    componentsToSkip: names(root.ComponentsToSkip),
    buildDetail: buildDetail(root.BuildDetail),
    properties: properties(root.Properties),
  };
}

function buildDetail(node: unknown): BuildDetail {
  if (!isElement(node)) return {};
  return {
    buildId: nonEmpty(text(node.BuildId)),
    project: nonEmpty(text(node.Project)),
    buildNumber: nonEmpty(text(node.BuildNumber)),
    dropLocation: nonEmpty(text(node.DropLocation)),
    uri: nonEmpty(text(node.Uri)),
  };
}

/** `<Components><string>a</string>...</Components>`; blank entries are dropped. */
function names(node: unknown): string[] {
  if (!isElement(node) || !Array.isArray(node.string)) return [];
  return node.string.map((s) => text(s)?.trim() ?? '').filter((s) => s.length > 0);
}

function properties(node: unknown): PropertyPair[] {
  if (!isElement(node) || !Array.isArray(node.PropertyPair)) return [];
  return node.PropertyPair.map((pair: unknown, i) => {
    const name = isElement(pair) ? text(pair.Name)?.trim() : undefined;
    if (!name) throw new RequestDetailsError(`Properties/PropertyPair[${i + 1}] has no <Name>`);
    return { name, value: text((pair as Record<string, unknown>).Value) ?? '' };
  });
}

/** An element's text: a plain string, or `#text` when the parser kept surrounding whitespace. */
function text(node: unknown): string | undefined {
  if (typeof node === 'string') return node;
  if (isElement(node) && typeof node['#text'] === 'string') return node['#text'];
  return isElement(node) ? '' : undefined;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function isElement(node: unknown): node is Record<string, unknown> {
  return typeof node === 'object' && node !== null && !Array.isArray(node);
}
