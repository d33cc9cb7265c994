/** A parsed JSON object, as read from `appsettings.json` or built from environment overrides. */
export type JsonObject = Record<string, unknown>;

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The key of `node` that matches `name` ignoring case, as .NET configuration does. When a file
 * holds the same key twice in different cases the last one wins, like a later JSON duplicate.
 */
export function findKey(node: JsonObject, name: string): string | undefined {
  const wanted = name.toLowerCase();
  return Object.keys(node)
    .filter((key) => key.toLowerCase() === wanted)
    .pop();
}
