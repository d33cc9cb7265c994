interface TailLine {
  text: string;
  /** UTF-8 bytes of the text plus one for its line end. */
  bytes: number;
}

/**
 * Keeps the last `maxBytes` bytes of a script's output, whole lines first: what fits in
 * DeploymentResult.Log. Older lines are dropped and counted; a single line longer than the
 * whole budget keeps its end, cut on a UTF-8 character boundary.
 */
export class OutputTail {
  private lines: TailLine[] = [];
  private head = 0;
  private keptBytes = 0;
  private cutBytes = 0;

  constructor(private readonly maxBytes: number) {}

  /** Bytes of output dropped so far to stay within the budget. */
  get droppedBytes(): number {
    return this.cutBytes;
  }

  push(line: string): void {
    const bytes = Buffer.byteLength(line) + 1;
    if (bytes > this.maxBytes) return this.pushOversized(line, bytes);

    this.lines.push({ text: line, bytes });
    this.keptBytes += bytes;
    while (this.keptBytes > this.maxBytes) this.dropFirst();
    this.compact();
  }

  /** The kept lines joined by `\n` (no trailing newline), after a note when some were cut. */
  toString(): string {
    const text = this.lines
      .slice(this.head)
      .map((l) => l.text)
      .join('\n');
    if (this.cutBytes === 0) return text;
    return `[... ${this.cutBytes} bytes of earlier output cut ...]\n${text}`;
  }

  private pushOversized(line: string, bytes: number): void {
    while (this.head < this.lines.length) this.dropFirst();
    this.compact();
    if (this.maxBytes <= 1) {
      this.cutBytes += bytes;
      return;
    }
    const kept = utf8Tail(line, this.maxBytes - 1);
    const keptBytes = Buffer.byteLength(kept) + 1;
    this.cutBytes += bytes - keptBytes;
    this.lines.push({ text: kept, bytes: keptBytes });
    this.keptBytes = keptBytes;
  }

  private dropFirst(): void {
    const first = this.lines[this.head++];
    this.keptBytes -= first.bytes;
    this.cutBytes += first.bytes;
  }

  /** Drops consumed slots once they are half the array: O(1) amortised, unlike `shift()`. */
  private compact(): void {
    if (this.head * 2 < this.lines.length) return;
    this.lines = this.lines.slice(this.head);
    this.head = 0;
  }
}

/** The last `maxBytes` bytes of `text`, starting on a character boundary. */
function utf8Tail(text: string, maxBytes: number): string {
  const buffer = Buffer.from(text, 'utf8');
  let start = buffer.length - maxBytes;
  // Continuation bytes look like 10xxxxxx; skip them so the first character is whole.
  while (start < buffer.length && (buffer[start] & 0xc0) === 0x80) start++;
  return buffer.subarray(start).toString('utf8');
}
