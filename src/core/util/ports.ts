// Loopback TCP ports: one free right now, or whether a given one is.
import { createServer } from 'node:net';

/** Binds `port` (0: any) on `host` and releases it; resolves the port bound, or null when it is taken. */
function tryBind(port: number, host: string): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => (error.code === 'EADDRINUSE' || error.code === 'EACCES' ? resolve(null) : reject(error)));
    server.listen(port, host, () => {
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : null;
      server.close(() => resolve(bound));
    });
  });
}

/** A loopback TCP port free right now: bound, then released. */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const port = await tryBind(0, host);
  if (port === null) throw new Error(`no free TCP port on ${host}`);
  return port;
}

export async function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return (await tryBind(port, host)) !== null;
}
