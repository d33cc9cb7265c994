export type JsonParseResult =
  { ok: true; value: unknown } | { ok: false; line?: number; column?: number };

/**
 * Parses JSON that may contain `//` and `/* *\/` comments and trailing commas, as .NET's
 * configuration reader accepts. Errors carry only a position: the parser's own message quotes
 * the text around the error, which may be a password.
 */
export function parseJsonWithComments(text: string): JsonParseResult {
  const clean = stripJsonComments(text.replace(/^\uFEFF/, ''));
  try {
    return { ok: true, value: JSON.parse(clean) };
  } catch (error) {
    return { ok: false, ...locate(clean, errorPosition(error)) };
  }
}

/** Blanks comments and trailing commas outside strings, keeping line breaks so positions hold. */
export function stripJsonComments(text: string): string {
  const chars = text.split('');
  blankComments(chars);
  blankTrailingCommas(chars);
  return chars.join('');
}

function blankComments(chars: string[]): void {
  let i = 0;
  while (i < chars.length) {
    if (chars[i] === '"') {
      i = endOfString(chars, i);
    } else if (chars[i] === '/' && chars[i + 1] === '/') {
      i = blank(chars, i, endOfLine(chars, i));
    } else if (chars[i] === '/' && chars[i + 1] === '*') {
      const end = endOfBlockComment(chars, i);
      i = end === undefined ? i + 1 : blank(chars, i, end);
    } else {
      i++;
    }
  }
}

function blankTrailingCommas(chars: string[]): void {
  let i = 0;
  while (i < chars.length) {
    if (chars[i] === '"') {
      i = endOfString(chars, i);
      continue;
    }
    if (chars[i] === ',' && closesNext(chars, i + 1)) chars[i] = ' ';
    i++;
  }
}

function endOfString(chars: string[], start: number): number {
  let i = start + 1;
  while (i < chars.length && chars[i] !== '"') i += chars[i] === '\\' ? 2 : 1;
  return i + 1;
}

function endOfLine(chars: string[], start: number): number {
  const end = chars.indexOf('\n', start);
  return end === -1 ? chars.length : end;
}

/** Undefined when unterminated: the comment is then left alone for JSON.parse to reject. */
function endOfBlockComment(chars: string[], start: number): number | undefined {
  for (let i = start + 2; i < chars.length - 1; i++) {
    if (chars[i] === '*' && chars[i + 1] === '/') return i + 2;
  }
  return undefined;
}

function blank(chars: string[], from: number, to: number): number {
  for (let i = from; i < to; i++) {
    if (chars[i] !== '\n' && chars[i] !== '\r') chars[i] = ' ';
  }
  return to;
}

function closesNext(chars: string[], start: number): boolean {
  let i = start;
  while (i < chars.length && /\s/.test(chars[i])) i++;
  return chars[i] === '}' || chars[i] === ']';
}

function errorPosition(error: unknown): number | undefined {
  const match = /at position (\d+)/.exec(error instanceof Error ? error.message : '');
  return match ? Number(match[1]) : undefined;
}

function locate(text: string, position: number | undefined): { line?: number; column?: number } {
  if (position === undefined) return {};
  const before = text.slice(0, position).split('\n');
  return { line: before.length, column: before[before.length - 1].length + 1 };
}
