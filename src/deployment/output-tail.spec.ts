import { OutputTail } from './output-tail';

describe('OutputTail', () => {
  it('keeps every line while they fit, joined by newlines, without a note', () => {
    const tail = new OutputTail(100);
    ['one', 'two', 'three'].forEach((line) => tail.push(line));

    expect(tail.toString()).toBe('one\ntwo\nthree');
    expect(tail.droppedBytes).toBe(0);
  });

  it('is empty before any output', () => {
    expect(new OutputTail(10).toString()).toBe('');
  });

  it('drops the oldest whole lines past the budget and says how many bytes went', () => {
    const tail = new OutputTail(12); // each line below counts 4 bytes with its line end
    ['aaa', 'bbb', 'ccc', 'ddd', 'eee'].forEach((line) => tail.push(line));

    expect(tail.toString()).toBe('[... 8 bytes of earlier output cut ...]\nccc\nddd\neee');
    expect(tail.droppedBytes).toBe(8);
  });

  it('counts bytes in UTF-8, not characters', () => {
    const tail = new OutputTail(9);
    tail.push('日本'); // 6 bytes + 1: 3 characters would fit, 7 bytes do not
    tail.push('ok'); // 2 bytes + 1

    expect(tail.toString()).toBe('[... 7 bytes of earlier output cut ...]\nok');
  });

  it('keeps the end of a line longer than the budget, cut on a character boundary', () => {
    const tail = new OutputTail(8);
    tail.push('first');
    tail.push('xx€€€'); // 2 + 3 * 3 = 11 bytes + 1

    // 7 bytes of text fit: the last two € (6 bytes); half a € is not kept.
    expect(tail.toString()).toBe('[... 11 bytes of earlier output cut ...]\n€€');
    expect(tail.droppedBytes).toBe(6 + 12 - 7);
  });

  it('stays within the budget over many lines', () => {
    const tail = new OutputTail(1000);
    for (let i = 0; i < 10_000; i++) tail.push(`line ${i}`);
    const kept = tail.toString().split('\n').slice(1);

    expect(kept[kept.length - 1]).toBe('line 9999');
    expect(Buffer.byteLength(kept.join('\n')) + 1).toBeLessThanOrEqual(1000);
    expect(Buffer.byteLength(kept.join('\n')) + 1).toBeGreaterThan(1000 - 10);
  });
});
