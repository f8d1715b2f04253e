// A TCP proxy between the agent and the real sandbox hub that misbehaves on command. It works on
// bytes: TLS passes through untouched (the agent still verifies the hub's certificate end to end),
// so what it can break is what a network can break: delays, resets, truncations, lost answers, and a
// different server answering at the hub's address.
//
// The faults that aim at an upload are armed per connection once the agent has sent
// `armAfterRequestBytes` bytes on it (TLS handshake included): with test documents larger than that
// and small polls (account, event feed) far below it, the fault lands in the middle of an upload,
// not on a poll. Each such fault applies to `times` connections, then the proxy passes bytes again.
//
//   const proxy = await startFaultProxy({ host: '127.0.0.1', port: hubPort });
//   proxy.set({ kind: 'drop-answer', armAfterRequestBytes: 32_768, times: 2 });
//   // the agent's hub URL is proxy.url
//
// 5xx answers are the hub's own fault injection (docs/sandbox-hub.md): a byte proxy cannot write an
// HTTP status into a TLS stream it cannot read.
import { createServer, connect, type Server, type Socket } from 'node:net';
import { createSecureContext, createServer as createTlsServer, connect as tlsConnect, TLSSocket, type SecureContext, type Server as TlsServer } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { createCertificateAuthority } from '../../src/core/tls/certificates.ts';

export type FaultMode =
  /** Every byte passes. */
  | { kind: 'pass' }
  /** Each chunk, both ways, waits `ms` before it is forwarded (order kept). Applies to every connection. */
  | { kind: 'latency'; ms: number }
  /** The request is cut: once `armAfterRequestBytes` bytes went to the hub, the connection is reset (RST) both ways. */
  | { kind: 'reset-request'; armAfterRequestBytes: number; times: number }
  /** The whole request reaches the hub; `afterAnswerBytes` bytes of its answer reach the agent, then a reset. */
  | { kind: 'reset-answer'; armAfterRequestBytes: number; afterAnswerBytes: number; times: number }
  /** Like reset-answer, but the agent's side is closed cleanly (FIN): a truncated answer. */
  | { kind: 'truncate-answer'; armAfterRequestBytes: number; afterAnswerBytes: number; times: number }
  /** Accept then drop: the hub gets and processes the whole request, no byte of its answer reaches the agent. */
  | { kind: 'drop-answer'; armAfterRequestBytes: number; times: number }
  /**
   * Another server answers at the hub's address, with its own self-signed certificate. It terminates
   * TLS and forwards to the real hub, so an agent that did not verify the certificate would reach the
   * hub through it (and the test would see the document there).
   */
  | { kind: 'impostor' };

export interface FaultProxyStats {
  connections: number;
  /** Connections a counted fault (reset, truncate, drop) was applied to. */
  faulted: number;
  /** Connections sent to the impostor. */
  impostor: number;
}

export interface FaultProxy {
  /** https://127.0.0.1:<port>: the hub's certificate is valid for 127.0.0.1. */
  readonly url: string;
  readonly port: number;
  /** Where connections go (the real hub); may be set after start. */
  target: { host: string; port: number } | null;
  /**
   * Null (default): TLS passes through. Set: new connections are TLS-terminated here with the hub's
   * own certificate and key and relayed over a verified TLS connection to the hub, so the faults count
   * plaintext HTTP bytes, not TLS records. The agent still verifies the certificate it gets, which is
   * the hub's. Needed where a fault must know where the answer begins (accept-then-drop): on a
   * passthrough connection a TLS 1.3 session ticket from the hub can arrive after the upload began and
   * look like its answer. The impostor is always reached by passthrough.
   */
  terminateTls: TerminateTls | null;
  /** The mode for new connections and, for the armed faults, for connections not yet armed. */
  set(mode: FaultMode, options?: { dropExisting?: boolean }): void;
  mode(): FaultMode;
  /** Destroys every open connection (the agent's keep-alive sockets included). */
  dropAll(): void;
  stats(): FaultProxyStats;
  close(): Promise<void>;
}

interface Link {
  client: Socket;
  upstream: Socket | null;
  requestBytes: number;
  armed: FaultMode | null;
  answerBytes: number;
  closed: boolean;
}

/** The hub's own certificate and key, and the CA to verify the hub with. */
export interface TerminateTls {
  cert: string;
  key: string;
  ca: string;
}

export async function startFaultProxy(initialTarget: { host: string; port: number } | null = null): Promise<FaultProxy> {
  let target = initialTarget;
  let terminate: { files: TerminateTls; context: SecureContext } | null = null;
  let mode: FaultMode = { kind: 'pass' };
  /** What is left of the counted fault's `times`. */
  let remaining = 0;
  const links = new Set<Link>();
  const stats: FaultProxyStats = { connections: 0, faulted: 0, impostor: 0 };
  // Started now, so a switch to it is immediate; its certificate takes a moment to make.
  const impostor = await startImpostor(target);

  const finish = (link: Link, how: 'reset' | 'end' | 'destroy'): void => {
    if (link.closed) return;
    link.closed = true;
    links.delete(link);
    if (how === 'reset') {
      reset(link.client);
      if (link.upstream) reset(link.upstream);
    } else if (how === 'end') {
      link.client.end();
      link.upstream?.destroy();
    } else {
      link.client.destroy();
      link.upstream?.destroy();
    }
  };

  /** Takes one of the counted fault's `times`, if any is left. */
  const takeFault = (): FaultMode | null => {
    if (!('times' in mode) || remaining <= 0) return null;
    remaining -= 1;
    stats.faulted += 1;
    return mode;
  };

  const onConnection = (raw: Socket): void => {
    stats.connections += 1;
    const connectionMode = mode;
    const terminating = terminate !== null && connectionMode.kind !== 'impostor' ? terminate : null;
    const client = terminating ? new TLSSocket(raw, { isServer: true, secureContext: terminating.context }) : raw;
    const link: Link = { client, upstream: null, requestBytes: 0, armed: null, answerBytes: 0, closed: false };
    links.add(link);
    client.on('error', () => finish(link, 'destroy'));
    client.on('close', () => finish(link, 'destroy'));
    raw.on('error', () => finish(link, 'destroy'));
    let destination: { host: string; port: number } | null = target;
    if (connectionMode.kind === 'impostor') {
      stats.impostor += 1;
      destination = { host: '127.0.0.1', port: impostor.port };
    }
    if (!destination) return finish(link, 'reset');
    const upstream = terminating
      ? tlsConnect({ host: destination.host, port: destination.port, ca: terminating.files.ca, servername: 'localhost' })
      : connect(destination.port, destination.host);
    link.upstream = upstream;
    upstream.setNoDelay(true);
    client.setNoDelay(true);
    upstream.on('error', () => finish(link, 'destroy'));
    upstream.on('close', () => finish(link, 'end'));
    const delay = connectionMode.kind === 'latency' ? connectionMode.ms : 0;
    const toUpstream = forwarder(upstream, delay);
    const toClient = forwarder(client, delay);

    client.on('data', (chunk: Buffer) => {
      if (link.closed) return;
      const before = link.requestBytes;
      link.requestBytes += chunk.length;
      if (!link.armed && 'armAfterRequestBytes' in mode && link.requestBytes >= mode.armAfterRequestBytes) {
        link.armed = takeFault();
      }
      const armed = link.armed;
      if (armed?.kind === 'reset-request') {
        // Forward exactly up to the threshold, then reset: the hub sees half a request.
        const keep = Math.max(0, armed.armAfterRequestBytes - before);
        if (keep > 0) upstream.write(chunk.subarray(0, keep));
        setImmediate(() => finish(link, 'reset'));
        return;
      }
      toUpstream(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (link.closed) return;
      const armed = link.armed;
      if (!armed) return toClient(chunk);
      if (armed.kind === 'drop-answer') {
        // The hub answered: it has processed the request. Nothing reaches the agent; the connection
        // goes once the rest of the answer had time to arrive (it would be dropped too).
        upstream.pause();
        setTimeout(() => finish(link, 'destroy'), 50);
        return;
      }
      if (armed.kind === 'reset-answer' || armed.kind === 'truncate-answer') {
        const keep = Math.max(0, armed.afterAnswerBytes - link.answerBytes);
        link.answerBytes += chunk.length;
        if (keep > 0) client.write(chunk.subarray(0, keep));
        if (link.answerBytes >= armed.afterAnswerBytes) setImmediate(() => finish(link, armed.kind === 'reset-answer' ? 'reset' : 'end'));
        return;
      }
      toClient(chunk);
    });
    client.on('end', () => upstream.end());
  };
  const server: Server = createServer(onConnection);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  const proxy: FaultProxy = {
    url: `https://127.0.0.1:${port}`,
    port,
    get target() {
      return target;
    },
    set target(value) {
      target = value;
      impostor.target = value;
    },
    get terminateTls() {
      return terminate?.files ?? null;
    },
    set terminateTls(files) {
      terminate = files ? { files, context: createSecureContext({ cert: files.cert, key: files.key }) } : null;
    },
    set(next, options = {}) {
      mode = next;
      remaining = 'times' in next ? next.times : 0;
      if (options.dropExisting) proxy.dropAll();
    },
    mode: () => mode,
    dropAll() {
      for (const link of [...links]) finish(link, 'destroy');
    },
    stats: () => ({ ...stats }),
    async close() {
      proxy.dropAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await impostor.close();
    },
  };
  return proxy;
}

/** RST where the socket can (plain TCP); a TLS socket is destroyed (its handle cannot reset). */
function reset(socket: Socket): void {
  if (socket instanceof TLSSocket) socket.destroy();
  else socket.resetAndDestroy();
}

/** Forwards chunks in order, each `delayMs` late (0: at once). */
function forwarder(to: Socket, delayMs: number): (chunk: Buffer) => void {
  if (delayMs <= 0) return (chunk) => void to.write(chunk);
  return (chunk) => {
    setTimeout(() => {
      if (!to.destroyed) to.write(chunk);
    }, delayMs);
  };
}

interface Impostor {
  port: number;
  target: { host: string; port: number } | null;
  close(): Promise<void>;
}

/** A TLS server with a self-signed certificate of its own for 127.0.0.1 that relays to the real hub. */
async function startImpostor(initialTarget: { host: string; port: number } | null): Promise<Impostor> {
  // A CA certificate is a self-signed certificate; Node accepts it as a server certificate (with no
  // SAN, the agent's check would also fail on the name: the self-signed verdict comes first).
  const pair = await createCertificateAuthority('Impostor Hub', 30);
  const sockets = new Set<Socket>();
  const state: Impostor = {
    port: 0,
    target: initialTarget,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server: TlsServer = createTlsServer({ cert: pair.certificatePem, key: pair.privateKeyPem }, (client: TLSSocket) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    if (!state.target) return void client.destroy();
    // The impostor does not care whom it talks to: it relays the agent's request to the real hub.
    const upstream = tlsConnect({ host: state.target.host, port: state.target.port, rejectUnauthorized: false, servername: 'localhost' });
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.pipe(upstream).pipe(client);
  });
  server.on('tlsClientError', () => undefined); // the agent refusing the certificate ends here
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  state.port = (server.address() as AddressInfo).port;
  return state;
}
