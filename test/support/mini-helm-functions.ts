import { createHash } from 'node:crypto';
import { stringify } from 'yaml';

/**
 * The template functions the chart uses, with Go/Sprig semantics where they matter: integers
 * written in a template (and `int`'s result) are `bigint`, numbers from values are float64 (JS
 * `number`), and comparing the two is an error, exactly as in Helm.
 */
export interface FunctionContext {
  include(name: string, dot: unknown): string;
}

type TemplateFunction = (context: FunctionContext, ...args: unknown[]) => unknown;

type Kind = 'nil' | 'bool' | 'int' | 'float' | 'string' | 'list' | 'map';

export function kindOf(value: unknown): Kind {
  if (value === null || value === undefined) return 'nil';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'bigint') return 'int';
  if (typeof value === 'number') return 'float';
  if (typeof value === 'string') return 'string';
  if (Array.isArray(value)) return 'list';
  return 'map';
}

/** Go template truth: false, 0, nil and empty strings/collections are false. */
export function isTruthy(value: unknown): boolean {
  switch (kindOf(value)) {
    case 'nil':
      return false;
    case 'list':
      return (value as unknown[]).length > 0;
    case 'map':
      return Object.keys(value as object).length > 0;
    default:
      return Boolean(value);
  }
}

/** Go's `%v` of a float64: shortest digits, exponent form below 1e-4 and from 1e6 (so 1e+06). */
function formatFloat(value: number): string {
  if (!Number.isFinite(value)) return Number.isNaN(value) ? 'NaN' : value > 0 ? '+Inf' : '-Inf';
  if (value === 0) return '0';
  const [mantissa, exponentText] = value.toExponential().split('e');
  const exponent = Number(exponentText);
  if (exponent >= -4 && exponent < 6) return String(value);
  const sign = exponent < 0 ? '-' : '+';
  return `${mantissa}e${sign}${String(Math.abs(exponent)).padStart(2, '0')}`;
}

/** How an action prints a value. Maps and lists are refused: the chart must use toYaml/toJson. */
export function printValue(value: unknown): string {
  const kind = kindOf(value);
  if (kind === 'nil') return '';
  if (kind === 'float') return formatFloat(value as number);
  if (kind === 'list' || kind === 'map') {
    throw new Error(`refusing to print a ${kind} directly: pipe it through toYaml or toJson`);
  }
  return String(value);
}

function toPlain(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (Array.isArray(value)) return value.map(toPlain);
  if (kindOf(value) !== 'map') return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value as object).sort()) {
    sorted[key] = toPlain((value as Record<string, unknown>)[key]);
  }
  return sorted;
}

/** encoding/json output: sorted keys and HTML-safe escapes. */
function goJson(value: unknown, indent?: number): string {
  const text = JSON.stringify(toPlain(value ?? null), null, indent) ?? 'null';
  return text
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

function toYaml(value: unknown): string {
  // Like Go's encoder: YAML 1.1 quoting ("on", "yes"), no line folding, list items not indented.
  const text = stringify(toPlain(value ?? null), {
    version: '1.1',
    lineWidth: 0,
    indentSeq: false,
  });
  return text.replace(/\n$/, '');
}

function indent(spaces: unknown, text: unknown): string {
  const pad = ' '.repeat(toInt(spaces));
  return pad + printValue(text).replace(/\n/g, `\n${pad}`);
}

function toInt(value: unknown): number {
  return Number(intOf(value));
}

function intOf(value: unknown): bigint {
  switch (kindOf(value)) {
    case 'int':
      return value as bigint;
    case 'float':
      return BigInt(Math.trunc(value as number));
    case 'bool':
      return value ? 1n : 0n;
    case 'string':
      return /^\s*-?\d+\s*$/.test(value as string) ? BigInt((value as string).trim()) : 0n;
    default:
      return 0n;
  }
}

/** `eq`/`lt`... refuse operands of different basic kinds, as Go's template package does. */
function comparable(left: unknown, right: unknown, ordered: boolean): [unknown, unknown] {
  const leftKind = kindOf(left);
  const rightKind = kindOf(right);
  const basic = ['bool', 'int', 'float', 'string'];
  if (!basic.includes(leftKind) || !basic.includes(rightKind) || leftKind !== rightKind) {
    throw new Error(`incompatible types for comparison: ${leftKind} and ${rightKind}`);
  }
  if (ordered && leftKind === 'bool') throw new Error('invalid type for comparison: bool');
  return [left, right];
}

function compare(left: unknown, right: unknown): number {
  const [a, b] = comparable(left, right, true) as [
    string | number | bigint,
    string | number | bigint,
  ];
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Go's fmt.Sprint: a space between operands when neither side is a string. */
function sprint(args: unknown[]): string {
  return args
    .map((arg, i) => {
      const spaced = i > 0 && kindOf(arg) !== 'string' && kindOf(args[i - 1]) !== 'string';
      return (spaced ? ' ' : '') + printValue(arg);
    })
    .join('');
}

function sprintf(format: unknown, args: unknown[]): string {
  let next = 0;
  return String(format).replace(/%([%sdvq])/g, (_, verb: string) => {
    if (verb === '%') return '%';
    if (next >= args.length) return `%!${verb}(MISSING)`;
    const arg = args[next++];
    if (verb === 'd' && kindOf(arg) !== 'int')
      throw new Error(`printf %d needs an int, got ${kindOf(arg)}`);
    return verb === 'q' ? JSON.stringify(printValue(arg)) : printValue(arg);
  });
}

/** The first argument that decides `and`/`or`, else the last one (Go's semantics). */
function firstOr(args: unknown[], decides: (arg: unknown) => boolean): unknown {
  const index = args.findIndex(decides);
  return args[index < 0 ? args.length - 1 : index];
}

function isEmpty(value: unknown): boolean {
  return !isTruthy(value);
}

const functions: Record<string, TemplateFunction> = {
  include: (context, name, dot) => context.include(String(name), dot),
  default: (_, fallback, ...given) =>
    given.length === 0 || isEmpty(given[0]) ? fallback : given[0],
  required: (_, message, value) => {
    if (value === null || value === undefined || value === '') throw new Error(String(message));
    return value;
  },
  fail: (_, message) => {
    throw new Error(String(message));
  },
  quote: (_, ...args) =>
    args
      .filter((arg) => kindOf(arg) !== 'nil')
      .map((arg) => JSON.stringify(printValue(arg)))
      .join(' '),
  printf: (_, format, ...args) => sprintf(format, args),
  print: (_, ...args) => sprint(args),
  sha256sum: (_, text) => createHash('sha256').update(String(text)).digest('hex'),
  toYaml: (_, value) => toYaml(value),
  toJson: (_, value) => goJson(value),
  toPrettyJson: (_, value) => goJson(value, 2),
  indent: (_, spaces, text) => indent(spaces, text),
  nindent: (_, spaces, text) => `\n${indent(spaces, text)}`,
  trunc: (_, count, text) => {
    const s = String(text);
    const c = toInt(count);
    if (c < 0 && s.length + c > 0) return s.slice(s.length + c);
    return c >= 0 && s.length > c ? s.slice(0, c) : s;
  },
  trimSuffix: (_, suffix, text) => {
    const s = String(text);
    return s.endsWith(String(suffix)) ? s.slice(0, s.length - String(suffix).length) : s;
  },
  contains: (_, needle, haystack) => String(haystack).includes(String(needle)),
  replace: (_, from, to, text) => String(text).split(String(from)).join(String(to)),
  int: (_, value) => intOf(value),
  eq: (_, left, ...rights) => rights.some((right) => comparable(left, right, false)[0] === right),
  ne: (_, left, right) => comparable(left, right, false)[0] !== right,
  lt: (_, left, right) => compare(left, right) < 0,
  le: (_, left, right) => compare(left, right) <= 0,
  gt: (_, left, right) => compare(left, right) > 0,
  ge: (_, left, right) => compare(left, right) >= 0,
  not: (_, value) => !isTruthy(value),
  empty: (_, value) => isEmpty(value),
  hasKey: (_, map, key) => kindOf(map) === 'map' && Object.hasOwn(map as object, String(key)),
  dict: (_, ...pairs) => {
    const result: Record<string, unknown> = {};
    for (let i = 0; i < pairs.length; i += 2) result[String(pairs[i])] = pairs[i + 1];
    return result;
  },
  // `and`/`or` are evaluated lazily by the engine; these run only on already-evaluated operands.
  and: (_, ...args) => firstOr(args, (arg) => !isTruthy(arg)),
  or: (_, ...args) => firstOr(args, isTruthy),
};

export const TEMPLATE_FUNCTIONS: ReadonlyMap<string, TemplateFunction> = new Map(
  Object.entries(functions),
);
