const MAX_DETAIL_CHARS = 300;

/**
 * A short, secret-free description of a failure for logs and `status().lastError`. amqplib's
 * messages carry no password, but a token provider's might; anything listed in `secrets` is
 * blanked out to be sure.
 */
export function describeError(error: unknown, secrets: readonly string[] = []): string {
  let text = error instanceof Error ? error.message : String(error);
  for (const secret of secrets) {
    // Very short secrets would blank out ordinary words; they are not worth hiding here.
    if (secret.length >= 4) text = text.split(secret).join('***');
  }
  return text.length > MAX_DETAIL_CHARS ? `${text.slice(0, MAX_DETAIL_CHARS)}...` : text;
}

/** The AMQP reply code amqplib attaches to channel and connection errors, if any. */
export function amqpReplyCode(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

/**
 * Whether the broker refused access (reply code 403): a login with a token it does not accept,
 * or an operation the credentials do not permit. Some amqplib errors (a refused handshake, a
 * closed channel's reply) carry the code only in their message.
 */
export function isAccessRefused(error: unknown): boolean {
  if (amqpReplyCode(error) === 403) return true;
  const message = error instanceof Error ? error.message : String(error);
  return /ACCESS.REFUSED/i.test(message);
}
