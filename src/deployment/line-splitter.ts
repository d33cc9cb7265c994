import { StringDecoder } from 'node:string_decoder';

/** Longest line passed on in one piece; a longer one (binary output, no newline) is cut. */
const DEFAULT_MAX_LINE_CHARS = 64 * 1024;

/**
 * Turns chunks of UTF-8 output into lines: LF or CRLF endings, characters split across chunks,
 * and a last line without a newline (passed on by `end`).
 */
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly maxLineChars = DEFAULT_MAX_LINE_CHARS,
  ) {}

  write(chunk: Buffer): void {
    this.consume(this.decoder.write(chunk));
  }

  end(): void {
    this.consume(this.decoder.end());
    if (this.pending.length > 0) this.emit(this.pending);
    this.pending = '';
  }

  private consume(text: string): void {
    const all = this.pending + text;
    let start = 0;
    for (let nl = all.indexOf('\n'); nl !== -1; nl = all.indexOf('\n', start)) {
      this.emit(all.slice(start, nl));
      start = nl + 1;
    }
    this.pending = all.slice(start);
    // Output without newlines (binary, progress bars) must not grow without bound.
    while (this.pending.length > this.maxLineChars) {
      const cut = this.cutIndex(this.pending);
      this.onLine(this.pending.slice(0, cut));
      this.pending = this.pending.slice(cut);
    }
  }

  private emit(line: string): void {
    let rest = line.endsWith('\r') ? line.slice(0, -1) : line;
    while (rest.length > this.maxLineChars) {
      const cut = this.cutIndex(rest);
      this.onLine(rest.slice(0, cut));
      rest = rest.slice(cut);
    }
    this.onLine(rest);
  }

  /** Where to cut an over-long line: never inside a surrogate pair (two broken characters). */
  private cutIndex(text: string): number {
    const code = text.charCodeAt(this.maxLineChars - 1);
    return code >= 0xd800 && code <= 0xdbff ? this.maxLineChars - 1 : this.maxLineChars;
  }
}
