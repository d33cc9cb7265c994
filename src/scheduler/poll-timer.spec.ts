import { PollTimer } from './poll-timer';

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A turn that takes `ms` and records how many turns ran at once. */
function slowTurns(ms: number) {
  const state = { started: 0, running: 0, maxRunning: 0, startedAt: [] as number[] };
  const turn = async () => {
    state.started++;
    state.startedAt.push(Date.now());
    state.running++;
    state.maxRunning = Math.max(state.maxRunning, state.running);
    await sleep(ms);
    state.running--;
  };
  return { state, turn };
}

describe('PollTimer', () => {
  let timer: PollTimer | undefined;

  afterEach(() => timer?.stop());

  it('never runs two turns at once, even when a turn is longer than the interval', async () => {
    const { state, turn } = slowTurns(60);
    timer = new PollTimer(5, turn);
    timer.start();
    await sleep(400);
    expect(state.started).toBeGreaterThanOrEqual(3);
    expect(state.maxRunning).toBe(1);
  });

  it('soon() during a turn runs exactly one more turn right after it, not in parallel', async () => {
    const { state, turn } = slowTurns(80);
    timer = new PollTimer(10_000, turn);
    timer.start();
    await sleep(20);
    for (let i = 0; i < 5; i++) timer.soon();
    await sleep(250);
    expect(state.started).toBe(2);
    expect(state.maxRunning).toBe(1);
    expect(state.startedAt[1] - state.startedAt[0]).toBeGreaterThanOrEqual(75);
  });

  it('soon() while idle brings the next turn forward', async () => {
    const { state, turn } = slowTurns(0);
    timer = new PollTimer(10_000, turn);
    timer.start();
    await sleep(50);
    expect(state.started).toBe(1);
    timer.soon();
    await sleep(50);
    expect(state.started).toBe(2);
  });

  it('waits about the interval between turns, with at most 5 % jitter either way', async () => {
    const { state, turn } = slowTurns(0);
    timer = new PollTimer(100, turn);
    timer.start();
    await sleep(560);
    timer.stop();
    const gaps = state.startedAt.slice(1).map((t, i) => t - state.startedAt[i]);
    expect(gaps.length).toBeGreaterThanOrEqual(3);
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(94);
  });

  it('stop() during a turn: that turn finishes and no other starts; soon() does nothing after', async () => {
    const { state, turn } = slowTurns(60);
    timer = new PollTimer(5, turn);
    timer.start();
    await sleep(20);
    timer.stop();
    timer.soon();
    await sleep(200);
    expect(state.started).toBe(1);
    expect(state.running).toBe(0);
  });
});
