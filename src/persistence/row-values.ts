/**
 * Reads a column of a raw query row as text: strings and numbers as they are, anything else as
 * null.
 */
export function textOrNull(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  return null;
}

/** Like `textOrNull`, with '' for a missing value. */
export function text(value: unknown): string {
  return textOrNull(value) ?? '';
}
