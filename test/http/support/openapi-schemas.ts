import Ajv from 'ajv';
import { OPENAPI_DOCUMENT } from '../../../src/health/openapi.document';

export type SchemaName = keyof typeof OPENAPI_DOCUMENT.components.schemas;

/**
 * Checks real answers against the schemas of the served OpenAPI document, so the description
 * cannot drift from what the endpoints return. Formats are not checked (no ajv-formats here).
 */
export function answerValidator(): (schema: SchemaName, body: unknown) => string[] {
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  ajv.addSchema(JSON.parse(JSON.stringify(OPENAPI_DOCUMENT)) as object, 'openapi');
  return (schema, body) => {
    const validate = ajv.getSchema(`openapi#/components/schemas/${schema}`);
    if (!validate) return [`no schema ${schema}`];
    if (validate(body)) return [];
    return (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
  };
}
