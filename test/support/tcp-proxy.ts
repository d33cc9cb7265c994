import { AddressInfo, createServer, Server, Socket } from 'node:net';

export interface TcpProxyOptions {
  targetPort: number;
  /** Default 127.0.0.1. */
  targetHost?: string;
  /** Port to listen on (127.0.0.1); default a free one. */
  listenPort?: number;
}

/** A loopback TCP proxy that can simulate a silent network partition. */
export interface TcpProxy {
  /** The loopback port to connect to instead of the target. */
  readonly port: number;
  /**
   * Stops forwarding in both directions while keeping every socket open, like a cable cut
   * somewhere in between: nobody sees a FIN or RST, bytes just stop arriving. New connections
   * are accepted but get no bytes through either.
   */
  blackhole(): void;
  /** Forwards again, including what queued up meanwhile (TCP would retransmit it). */
  restore(): void;
  /** Destroys every socket and stops listening. */
  close(): Promise<void>;
}

interface Pair {
  client: Socket;
  upstream: Socket;
}

/** Starts a proxy on 127.0.0.1 with a free port. */
export async function startTcpProxy(options: TcpProxyOptions): Promise<TcpProxy> {
  const targetHost = options.targetHost ?? '127.0.0.1';
  const pairs = new Set<Pair>();
  let silent = false;

  const server = createServer((client) => {
    const upstream = new Socket();
    const pair = { client, upstream };
    pairs.add(pair);
    upstream.connect(options.targetPort, targetHost);
    if (silent) mute(pair);
    else forward(pair);
    watchEnds(pair, () => silent, pairs);
  });
  await listen(server, options.listenPort ?? 0);

  return {
    port: (server.address() as AddressInfo).port,
    blackhole: () => {
      if (silent) return;
      silent = true;
      pairs.forEach(mute);
    },
    restore: () => {
      if (!silent) return;
      silent = false;
      pairs.forEach(forward);
    },
    close: () => closeAll(server, pairs),
  };
}

function forward({ client, upstream }: Pair): void {
  client.pipe(upstream);
  upstream.pipe(client);
}

/** Unpiped and paused: incoming bytes wait in kernel buffers, as behind a partition. */
function mute({ client, upstream }: Pair): void {
  client.unpipe(upstream);
  upstream.unpipe(client);
  client.pause();
  upstream.pause();
}

/** Ends travel through only while forwarding: during a partition nobody hears of them. */
function watchEnds(pair: Pair, isSilent: () => boolean, pairs: Set<Pair>): void {
  const { client, upstream } = pair;
  const onGone = (other: Socket) => () => {
    if (!isSilent()) other.destroy();
    if (client.destroyed && upstream.destroyed) pairs.delete(pair);
  };
  client.on('error', () => undefined).on('close', onGone(upstream));
  upstream.on('error', () => undefined).on('close', onGone(client));
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
}

function closeAll(server: Server, pairs: Set<Pair>): Promise<void> {
  for (const { client, upstream } of pairs) {
    client.destroy();
    upstream.destroy();
  }
  pairs.clear();
  return new Promise((resolve) => server.close(() => resolve()));
}
