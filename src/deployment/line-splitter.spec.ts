import { LineSplitter } from './line-splitter';

function split(chunks: Buffer[], maxLineChars?: number): string[] {
  const lines: string[] = [];
  const splitter = new LineSplitter((line) => lines.push(line), maxLineChars);
  chunks.forEach((chunk) => splitter.write(chunk));
  splitter.end();
  return lines;
}

describe('LineSplitter', () => {
  it('splits on LF and CRLF and passes on a last line without newline at the end', () => {
    expect(split([Buffer.from('a\nb\r\nc')])).toEqual(['a', 'b', 'c']);
  });

  it('joins lines and CRLF split across chunks', () => {
    const chunks = ['par', 'tial\r', '\nnext\n'].map((s) => Buffer.from(s));

    expect(split(chunks)).toEqual(['partial', 'next']);
  });

  it('decodes a multi-byte character split across chunks', () => {
    const bytes = Buffer.from('€ and 🚀\n');
    const chunks = [bytes.subarray(0, 1), bytes.subarray(1, 7), bytes.subarray(7)];

    expect(split(chunks)).toEqual(['€ and 🚀']);
  });

  it('keeps empty lines and adds none at the end', () => {
    expect(split([Buffer.from('\n\nx\n')])).toEqual(['', '', 'x']);
  });

  it('cuts a line longer than the limit into pieces, never inside a surrogate pair', () => {
    expect(split([Buffer.from('abcdefg\n')], 3)).toEqual(['abc', 'def', 'g']);
    expect(split([Buffer.from('ab🚀cd')], 3)).toEqual(['ab', '🚀c', 'd']);
  });
});
