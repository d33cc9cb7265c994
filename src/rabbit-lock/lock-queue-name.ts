import { createHash } from 'node:crypto';

/** Every lock queue starts with this (the HA guide's name), which also keeps clear of `amq.`. */
export const LOCK_QUEUE_PREFIX = 'dorc.lock.env:';

/** AMQP short strings, and so queue names, hold at most 255 bytes. */
const MAX_QUEUE_NAME_BYTES = 255;

/** Mapped names keep at most this many characters of the environment name, for reading only. */
const READABLE_PART_MAX_CHARS = 64;

/**
 * Characters kept as they are: letters, marks, digits, punctuation, symbols and the plain space.
 * No control or format characters, no other white space, no private-use, unassigned or lone
 * surrogate code points. The broker would take even NUL, but such names are hard to read in
 * `rabbitmqctl` output, and lone surrogates turn into U+FFFD in UTF-8, which would merge names.
 */
const AS_IS_NAME = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]*$/u;

/** `~` separates the hash in mapped names, so a name containing it is never used as it is. */
const MAPPING_MARK = '~';

/**
 * The lock queue for an environment.
 *
 * - `dorc.lock.env:{environment}`, exactly as the HA guide names it, when the environment name is
 *   made of printable characters only (see `AS_IS_NAME`), contains no `~`, and the whole queue
 *   name fits in 255 UTF-8 bytes (241 bytes for the environment name).
 * - Otherwise `dorc.lock.env:{readable}~{sha256}`: `readable` is the first 64 characters of the
 *   name with everything but `A-Z a-z 0-9 . _ -` replaced by `_` (for people only), and `sha256`
 *   is the lower-case hex SHA-256 of the name's UTF-8 bytes (of its UTF-16LE code units when the
 *   name holds a lone surrogate and so has no UTF-8 form).
 *
 * Distinct names never share a queue: an as-is name has no `~` while every mapped one has, two
 * as-is names differ after the same prefix, and two mapped names differ in their hash.
 */
export function lockQueueName(environment: string): string {
  const plain = LOCK_QUEUE_PREFIX + environment;
  if (isUsableAsIs(environment, plain)) return plain;

  return `${LOCK_QUEUE_PREFIX}${readablePart(environment)}${MAPPING_MARK}${nameHash(environment)}`;
}

function isUsableAsIs(environment: string, queueName: string): boolean {
  if (environment.includes(MAPPING_MARK)) return false;
  if (!AS_IS_NAME.test(environment)) return false;
  return Buffer.byteLength(queueName, 'utf8') <= MAX_QUEUE_NAME_BYTES;
}

function readablePart(environment: string): string {
  return Array.from(environment)
    .slice(0, READABLE_PART_MAX_CHARS)
    .map((char) => (/^[A-Za-z0-9._-]$/.test(char) ? char : '_'))
    .join('');
}

function nameHash(environment: string): string {
  const hasLoneSurrogate = /\p{Cs}/u.test(environment);
  const bytes = Buffer.from(environment, hasLoneSurrogate ? 'utf16le' : 'utf8');
  return createHash('sha256').update(bytes).digest('hex');
}
