import { parseJsonWithComments, stripJsonComments } from './json-with-comments';

describe('parseJsonWithComments', () => {
  it('accepts line and block comments and trailing commas', () => {
    const text = `{
      // a line comment
      "a": 1, /* a block
      comment */ "b": [1, 2,],
    }`;

    expect(parseJsonWithComments(text)).toEqual({ ok: true, value: { a: 1, b: [1, 2] } });
  });

  it('leaves comment markers and commas inside strings alone', () => {
    const text = '{"url": "http://host//path", "c": "/* x */", "q": "a\\",}", "t": ",]"}';

    expect(parseJsonWithComments(text)).toEqual({
      ok: true,
      value: { url: 'http://host//path', c: '/* x */', q: 'a",}', t: ',]' },
    });
  });

  it('keeps line breaks so that an error points at the right line and column', () => {
    const text = '{\n  // comment\n  "a": 1\n  "b": 2\n}';

    expect(parseJsonWithComments(text)).toEqual({ ok: false, line: 4, column: 3 });
  });

  it('rejects an unterminated block comment', () => {
    expect(parseJsonWithComments('{"a": 1 /* open').ok).toBe(false);
  });

  it('rejects an empty file', () => {
    expect(parseJsonWithComments('')).toEqual({ ok: false });
  });

  it('strips a comment without changing the length of the text', () => {
    const text = '{"a": 1} // end';

    expect(stripJsonComments(text)).toBe('{"a": 1}       ');
  });
});
