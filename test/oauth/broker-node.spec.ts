import * as amqp from 'amqplib';
import { randomBytes } from 'node:crypto';
import { BrokerNode, startBrokerNode } from '../support/broker-node';

jest.setTimeout(120_000);

const DEFAULT_URL = process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('a second RabbitMQ node for tests', () => {
  let node: BrokerNode;
  let bystander: amqp.ChannelModel;
  let bystanderClosed = false;

  beforeAll(async () => {
    bystander = await amqp.connect(DEFAULT_URL);
    bystander.on('close', () => (bystanderClosed = true));
    node = await startBrokerNode();
  });

  afterAll(async () => {
    await node?.stop();
    await bystander?.close().catch(() => undefined);
  });

  async function connect(): Promise<amqp.ChannelModel> {
    const { userName, password } = node.credentials!;
    const url = `amqp://${userName}:${password}@127.0.0.1:${node.port}`;
    const connection = await amqp.connect(url);
    connection.on('error', () => undefined);
    return connection;
  }

  it('runs on its own port without OAuth, with guest over loopback', async () => {
    expect(node.port).not.toBe(5672);
    expect(node.nodeName).not.toBe('rabbit@localhost');
    const connection = await connect();

    await expect(connection.createChannel()).resolves.toBeDefined();
    await connection.close();
  });

  it('restarts on the same port and keeps its data', async () => {
    const queue = `dorc.test.durable-${randomBytes(4).toString('hex')}`;
    const before = await connect();
    await (await before.createChannel()).assertQueue(queue, { durable: true });
    let dropped = false;
    before.on('close', () => (dropped = true));
    const oldPid = node.pid()!;

    await node.restart();

    expect(dropped).toBe(true);
    expect(isAlive(oldPid)).toBe(false);
    const after = await connect();
    await expect((await after.createChannel()).checkQueue(queue)).resolves.toMatchObject({ queue });
    await after.close();
  });

  it('leaves the default node and its connections alone', () => {
    expect(bystanderClosed).toBe(false);
  });

  it('stops for good: the process is gone and its files removed', async () => {
    const pid = node.pid()!;

    await node.stop();
    await node.stop();

    expect(isAlive(pid)).toBe(false);
    await expect(connect()).rejects.toThrow(/ECONNREFUSED/);
    expect(bystanderClosed).toBe(false);
  });
});
