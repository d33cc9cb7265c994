import { readFileSync } from 'node:fs';
import { findKey, isJsonObject, JsonObject } from './json-tree';
import { errorCode } from './settings-file.reader';

/** Top-level sections an environment variable may override, lower-cased. */
const SECTIONS = ['appsettings', 'connectionstrings'];
const FILE_SUFFIX = '_file';

interface Override {
  name: string;
  segments: string[];
  value: string;
}

/**
 * Applies .NET-style overrides to the file's tree: `AppSettings__HighAvailability__Enabled=true`
 * sets `AppSettings.HighAvailability.Enabled`, matching existing keys ignoring case.
 * `<VARIABLE>_FILE=/path` supplies the variable's value from a file (Kubernetes secrets).
 */
export function applyEnvironmentOverrides(
  root: JsonObject,
  env: NodeJS.ProcessEnv,
  problems: string[],
): void {
  for (const override of collectOverrides(env, problems)) {
    setPath(root, override.segments, override.value);
  }
}

function collectOverrides(env: NodeJS.ProcessEnv, problems: string[]): Override[] {
  const direct = new Map<string, Override>();
  const fromFiles = new Map<string, Override>();
  for (const [name, value] of Object.entries(env)) {
    // An empty variable counts as unset: charts render optional values as empty strings.
    if (!value) continue;
    const isFile = name.toLowerCase().endsWith(FILE_SUFFIX);
    const target = isFile ? name.slice(0, -FILE_SUFFIX.length) : name;
    const segments = settingSegments(target);
    if (!segments) continue;
    const content = isFile ? readSecretFile(name, value, problems) : value;
    if (content === undefined) continue;
    (isFile ? fromFiles : direct).set(target.toLowerCase(), {
      name: target,
      segments,
      value: content,
    });
  }
  return mergeFileOverrides(direct, fromFiles, problems);
}

/** `X` and `X_FILE` both set is ambiguous: refuse rather than guess which one was meant. */
function mergeFileOverrides(
  direct: Map<string, Override>,
  fromFiles: Map<string, Override>,
  problems: string[],
): Override[] {
  for (const [key, override] of fromFiles) {
    if (direct.has(key)) {
      problems.push(
        `${override.name}: set both directly and through ${override.name}_FILE; keep one`,
      );
      continue;
    }
    direct.set(key, override);
  }
  return [...direct.values()];
}

/** `AppSettings__Http__Port` (or `AppSettings:Http:Port`) → its path; undefined for other names. */
function settingSegments(name: string): string[] | undefined {
  const segments = name.split(/__|:/);
  if (segments.length < 2 || segments.some((segment) => segment === '')) return undefined;
  return SECTIONS.includes(segments[0].toLowerCase()) ? segments : undefined;
}

function readSecretFile(name: string, path: string, problems: string[]): string | undefined {
  try {
    return readFileSync(path, 'utf8').replace(/[\r\n]+$/, '');
  } catch (error) {
    problems.push(`${name}: cannot read ${path} (${errorCode(error)})`);
    return undefined;
  }
}

function setPath(root: JsonObject, segments: string[], value: string): void {
  let node = root;
  for (const segment of segments.slice(0, -1)) {
    const key = findKey(node, segment) ?? segment;
    const child = node[key];
    if (!isJsonObject(child)) node[key] = {};
    node = node[key] as JsonObject;
  }
  const last = segments[segments.length - 1];
  node[findKey(node, last) ?? last] = value;
}
