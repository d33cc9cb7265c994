/** A property from the request's `Properties/PropertyPair` list. */
export interface PropertyPair {
  name: string;
  value: string;
}

export interface ResolvedProperties {
  /** Each property with a valid environment variable name, every `$Name$` resolved. */
  values: Record<string, string>;
  /** What a person should know: names scripts cannot see, reference cycles, oversized values. */
  warnings: string[];
}

/** What the monitor knows about a request and component; see `fixedProperties`. */
export interface FixedPropertyInput {
  requestId: number;
  environmentName: string;
  componentName: string;
  scriptRoot: string;
  isProd: boolean;
  buildNumber?: string | null;
  dropFolder?: string | null;
  project?: string | null;
  userName?: string | null;
  buildUri?: string | null;
  buildId?: string | number | null;
}

/**
 * Linux refuses longer `NAME=value` strings in an environment (MAX_ARG_STRLEN, 128 KiB); also
 * stops `$A$$A$`-style nesting from growing a value without bound.
 */
const MAX_VALUE_CHARS = 128 * 1024;

/** Portable environment variable names: every shell can read them as `$Name`. */
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The properties every script sees, with the names of the original DOrc monitor. */
export function fixedProperties(input: FixedPropertyInput): Record<string, string> {
  return {
    DeploymentRequestId: String(input.requestId),
    EnvironmentName: input.environmentName,
    ComponentName: input.componentName,
    BuildNumber: input.buildNumber ?? '',
    DropFolder: input.dropFolder ?? '',
    ScriptRoot: input.scriptRoot,
    IsProd: input.isProd ? 'True' : 'False',
    ProjectName: input.project ?? '',
    UserName: input.userName ?? '',
    BuildUri: input.buildUri ?? '',
    BuildId: input.buildId == null ? '' : String(input.buildId),
  };
}

/**
 * Merges the fixed properties with the request's pairs and resolves references.
 *
 * - Names match case-insensitively, as in the Windows-born original: a request pair overrides
 *   a fixed property whatever its case. The first spelling seen names the variable (so the
 *   fixed names keep theirs); the last value wins.
 * - `$Name$` in any value is replaced by that property's resolved value, recursively. `$$` is a
 *   literal `$`. A reference to an unknown name stays as written, as does one that would close
 *   a cycle (reported in `warnings`).
 * - Names that are not portable environment variable names (letters, digits, `_`, not starting
 *   with a digit) can still be referenced, but are left out of `values`, with a warning.
 */
export function resolveProperties(
  fixed: Record<string, string>,
  requestPairs: PropertyPair[],
): ResolvedProperties {
  const properties = mergeProperties(fixed, requestPairs);
  const resolver = new PropertyResolver(properties);
  const values: Record<string, string> = {};
  const warnings: string[] = [];
  for (const [key, { name }] of properties) {
    if (!ENV_NAME.test(name)) {
      warnings.push(
        `Property '${name}' is not a valid environment variable name; scripts do not see it.`,
      );
      continue;
    }
    values[name] = resolver.valueOf(key, []).value;
  }
  return { values, warnings: [...warnings, ...resolver.warnings] };
}

interface Property {
  name: string;
  value: string;
}

function keyOf(name: string): string {
  return name.toUpperCase();
}

function mergeProperties(fixed: Record<string, string>, pairs: PropertyPair[]) {
  const merged = new Map<string, Property>();
  const all = [...Object.entries(fixed).map(([name, value]) => ({ name, value })), ...pairs];
  for (const { name, value } of all) {
    const earlier = merged.get(keyOf(name));
    merged.set(keyOf(name), { name: earlier?.name ?? name, value });
  }
  return merged;
}

interface Expansion {
  value: string;
  /** A cycle was cut somewhere below: the value depends on where resolution started. */
  cyclic: boolean;
}

class PropertyResolver {
  readonly warnings = new Set<string>();
  private readonly resolved = new Map<string, string>();

  constructor(private readonly properties: Map<string, Property>) {}

  valueOf(key: string, stack: string[]): Expansion {
    const known = this.resolved.get(key);
    if (known !== undefined) return { value: known, cyclic: false };
    const expansion = this.expand(this.properties.get(key)!.value, [...stack, key]);
    if (!expansion.cyclic) this.resolved.set(key, expansion.value);
    return expansion;
  }

  private expand(text: string, stack: string[]): Expansion {
    let value = '';
    let cyclic = false;
    let at = 0;
    for (let dollar = text.indexOf('$'); dollar !== -1; dollar = text.indexOf('$', at)) {
      value += text.slice(at, dollar);
      const step = this.expandAt(text, dollar, stack, value.length);
      value += step.value;
      cyclic ||= step.cyclic;
      at = dollar + step.consumed;
    }
    return { value: value + text.slice(at), cyclic };
  }

  /** What the `$` at `dollar` stands for, and how many characters of `text` it used. */
  private expandAt(text: string, dollar: number, stack: string[], sizeSoFar: number) {
    if (text[dollar + 1] === '$') return { value: '$', consumed: 2, cyclic: false };
    const close = text.indexOf('$', dollar + 1);
    const key = close === -1 ? undefined : keyOf(text.slice(dollar + 1, close));
    // Not a known reference: keep the `$` and look again from the next character, so that
    // "costs $5, see $Name$" still finds $Name$.
    if (key === undefined || !this.properties.has(key))
      return { value: '$', consumed: 1, cyclic: false };
    const reference = text.slice(dollar, close + 1);
    const consumed = reference.length;
    if (stack.includes(key)) {
      this.warnCycle([...stack, key]);
      return { value: reference, consumed, cyclic: true };
    }
    const inner = this.valueOf(key, stack);
    if (sizeSoFar + inner.value.length > MAX_VALUE_CHARS) {
      this.warnTooLong(stack[stack.length - 1], reference);
      return { value: reference, consumed, cyclic: inner.cyclic };
    }
    return { value: inner.value, consumed, cyclic: inner.cyclic };
  }

  /** `path` ends with the key that closes the loop; each loop is reported once, however entered. */
  private warnCycle(path: string[]): void {
    const loop = path.slice(path.indexOf(path[path.length - 1]), -1);
    const first = loop.indexOf([...loop].sort()[0]);
    const keys = [...loop.slice(first), ...loop.slice(0, first), loop[first]];
    const names = keys.map((key) => this.properties.get(key)!.name).join(' -> ');
    this.warnings.add(`Property reference cycle ${names}; the reference is left as written.`);
  }

  private warnTooLong(key: string, reference: string): void {
    const name = this.properties.get(key)!.name;
    this.warnings.add(
      `Property '${name}' would exceed ${MAX_VALUE_CHARS} characters; ${reference} is left as written.`,
    );
  }
}
