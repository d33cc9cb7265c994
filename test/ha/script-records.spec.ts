/**
 * The judges of the multi-replica tests, on records written by hand: a run cut off by a kill is
 * kept, a request started twice is counted twice, overlaps and order are seen.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { overlapsWithin } from '../support/engine-harness';
import {
  readScriptRuns,
  runIntervals,
  startCounts,
  startOrderByEnvironment,
  writeRecordingScript,
} from '../support/monitor-records';

const run = promisify(execFile);

describe('script records of multi-replica tests', () => {
  let dir: string;
  let file: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dorc-records-'));
    file = join(dir, 'record.log');
  });

  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('keeps a start without an end (a killed run) and pairs the rerun with its own end', async () => {
    await writeFile(
      file,
      ['start A 1 100', 'start B 2 110', 'end B 2 200', 'start A 1 900', 'end A 1 1000', ''].join(
        '\n',
      ),
    );

    const runs = await readScriptRuns(file);

    expect(runs).toEqual([
      { environment: 'A', requestId: 1, start: 100, end: null },
      { environment: 'B', requestId: 2, start: 110, end: 200 },
      { environment: 'A', requestId: 1, start: 900, end: 1000 },
    ]);
    expect(startCounts(runs).get(1)).toBe(2);
    expect(overlapsWithin(runIntervals(runs, 150))).toEqual([]);
  });

  it('sees an overlap within one environment, including one with a cut-off run', async () => {
    await writeFile(file, ['start A 1 100', 'start A 2 300', 'end A 2 400', ''].join('\n'));

    const runs = await readScriptRuns(file);

    expect(overlapsWithin(runIntervals(runs))).toHaveLength(1);
    expect(overlapsWithin(runIntervals(runs, 350))).toHaveLength(1);
    expect(overlapsWithin(runIntervals(runs, 250))).toEqual([]);
  });

  it('gives the order in which requests first started, per environment', async () => {
    const lines = ['start A 3 100', 'end A 3 150', 'start B 4 120', 'start A 2 200', 'end A 2 250'];
    await writeFile(file, lines.join('\n'));

    const order = startOrderByEnvironment(await readScriptRuns(file));

    expect(order.get('A')).toEqual([3, 2]);
    expect(order.get('B')).toEqual([4]);
  });

  it('writes a script that records start and end with the request and environment', async () => {
    await writeRecordingScript(dir, 'rec.sh', file, 0.1);
    const env = { ...process.env, EnvironmentName: 'Env-1', DeploymentRequestId: '42' };

    await run(join(dir, 'rec.sh'), [], { env });
    const [only] = await readScriptRuns(file);

    expect(only).toMatchObject({ environment: 'Env-1', requestId: 42 });
    expect(only.end! - only.start).toBeGreaterThanOrEqual(100);
  });
});
