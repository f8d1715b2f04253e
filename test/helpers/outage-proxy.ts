// A TCP relay in front of a real server (the sandbox hub's HTTPS port, an sshd) that a test can take
// down and bring back, counting every connection attempt that reaches it. Down, it accepts and at
// once resets each connection (the client sees "connection reset" before any byte of an answer) and
// cuts the connections already relayed: to a client it is a hub that went away. TLS and SSH pass
// through untouched, so certificates and host keys stay the server's.
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export interface OutageProxy {
  port: number;
  /** Connections accepted since the start (up or down). */
  readonly connections: number;
  /** Connections accepted while down (each reset at once): attempts that reached the "hub". */
  readonly refused: number;
  down(): void;
  up(): void;
  close(): Promise<void>;
}

export async function startOutageProxy(target: { host: string; port: number }): Promise<OutageProxy> {
  let isDown = false;
  let connections = 0;
  let refused = 0;
  const open = new Set<Socket>();
  const server: Server = createServer((client) => {
    connections += 1;
    if (isDown) {
      refused += 1;
      client.resetAndDestroy();
      return;
    }
    const upstream = createConnection(target);
    open.add(client);
    open.add(upstream);
    const forget = (): void => {
      open.delete(client);
      open.delete(upstream);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', forget).on('close', forget);
    upstream.on('error', forget).on('close', forget);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('outage proxy: no TCP port');
  return {
    port: address.port,
    get connections() {
      return connections;
    },
    get refused() {
      return refused;
    },
    down() {
      isDown = true;
      for (const socket of [...open]) socket.resetAndDestroy();
      open.clear();
    },
    up() {
      isDown = false;
    },
    close() {
      for (const socket of [...open]) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
