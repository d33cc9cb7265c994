import { DataSource } from 'typeorm';
import { RequestStore } from '../../src/scheduler/request.store';
import { Summary, summarize, timed } from '../support/stats';
import { PostgresPollFixture } from './postgres-poll.fixture';
import { SqlitePollFixture } from './sqlite-poll.fixture';

export interface PollRow {
  database: 'sqlite' | 'postgres';
  finishedRows: number;
  pendingRows: number;
  /** The scheduler's poll query, `RequestStore.open(false)`, in ms. */
  poll: Summary;
  /** Time to load the rows (not part of the poll). */
  loadSeconds: number;
}

const PENDING = 100;
const WARMUP = 5;

/** Poll cost with `sizes` finished rows (ascending; each step adds rows to the same table). */
export async function runPollBench(sizes: number[], iterations: number): Promise<PollRow[]> {
  return [...(await sqlite(sizes, iterations)), ...(await postgres(sizes, iterations))];
}

async function sqlite(sizes: number[], iterations: number): Promise<PollRow[]> {
  const fixture = await SqlitePollFixture.create();
  const rows: PollRow[] = [];
  try {
    let have = 0;
    for (const size of sizes) {
      const loadSeconds = await seconds(async () =>
        fixture.insert(size - have, have ? 0 : PENDING),
      );
      have = size;
      const ds = await fixture.open();
      try {
        rows.push({
          database: 'sqlite',
          finishedRows: size,
          pendingRows: PENDING,
          loadSeconds,
          poll: await measure(ds, iterations),
        });
      } finally {
        await ds.destroy();
      }
    }
  } finally {
    await fixture.cleanup();
  }
  return rows;
}

async function postgres(sizes: number[], iterations: number): Promise<PollRow[]> {
  const fixture = await PostgresPollFixture.create();
  const rows: PollRow[] = [];
  try {
    let have = 0;
    for (const size of sizes) {
      const loadSeconds = await seconds(() => fixture.insert(size - have, have ? 0 : PENDING));
      have = size;
      const poll = await measure(fixture.dataSource, iterations);
      rows.push({
        database: 'postgres',
        finishedRows: size,
        pendingRows: PENDING,
        loadSeconds,
        poll,
      });
    }
  } finally {
    await fixture.cleanup();
  }
  return rows;
}

async function measure(ds: DataSource, iterations: number): Promise<Summary> {
  const store = new RequestStore(ds);
  for (let i = 0; i < WARMUP; i++) await store.open(false);
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    let found = 0;
    samples.push(await timed(async () => (found = (await store.open(false)).length)));
    if (found !== PENDING) throw new Error(`the poll returned ${found} rows, expected ${PENDING}`);
  }
  return summarize(samples);
}

async function seconds(work: () => Promise<unknown>): Promise<number> {
  return (await timed(work)) / 1000;
}
