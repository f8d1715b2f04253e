// SFTP connections to the hub: opening one (pinned host key, Nagle off, keepalive), the few file
// operations the hub protocol needs as promises, and a small pool that drops broken connections
// and makes new ones on the next call.
import type SftpClient from 'ssh2-sftp-client';
import type { Client, ConnectConfig, SFTPWrapper, Stats } from 'ssh2';
import { HubRequestError } from './hub-client.ts';
import { pinnedHostKey } from './host-key.ts';
import { SFTP_STATUS, classifySftpError, type SftpErrorContext } from './classify-sftp-error.ts';
import { withoutSecrets } from './without-secrets.ts';
import { loadSshLibrary } from './ssh-library.ts';

export interface SftpCredentials {
  password?: string | null;
  privateKey?: string | null;
  passphrase?: string | null;
}

export interface SftpLog {
  info(message: string, meta?: object): void;
  warn(message: string, meta?: object): void;
  error(message: string, meta?: object): void;
}

export interface SftpConnectOptions {
  host: string;
  port: number;
  username: string;
  hostKeyFingerprint: string;
  /** Read at each connect: credentials can change at runtime. */
  credentials: () => SftpCredentials;
  keepaliveIntervalMs: number;
  connectTimeoutMs: number;
  log?: SftpLog | undefined;
}

export interface RemoteEntry {
  name: string;
  isFile: boolean;
  isDirectory: boolean;
  size: number;
}

/** ssh2 sends this many keepalives without an answer before it declares the server gone. */
const KEEPALIVE_COUNT_MAX = 3;
/** Opening the SFTP subsystem after the handshake gets this much on top of the connect timeout. */
const SUBSYSTEM_GRACE_MS = 5_000;
/** A single request that gets no answer in this long means the connection is dead. */
const REQUEST_TIMEOUT_MS = 60_000;
/** Writes get extra time for their size, assuming the uplink moves at least this much per second. */
const SLOWEST_UPLINK_BYTES_PER_SECOND = 16 * 1024;
/** Uploads are written in chunks of this size, several in flight, so latency does not set the pace. */
const WRITE_CHUNK_BYTES = 64 * 1024;
const WRITES_IN_FLIGHT = 8;
const END_TIMEOUT_MS = 2_000;

let sessionCounter = 0;

export function serverLabel(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** How the credentials log in, for messages ("the SFTP server refused the key…"). */
function authMethodLabel(credentials: SftpCredentials): string {
  if (credentials.privateKey && credentials.password) return 'key and password';
  return credentials.privateKey ? 'key' : 'password';
}

/** One open SFTP connection. Any failure of the connection itself marks it broken for good. */
export class SftpSession {
  readonly id: number;
  readonly server: string;
  #broken = false;
  readonly #client: SftpClient;
  readonly #ssh: Client;
  readonly #sftp: SFTPWrapper;
  readonly #log: SftpLog | undefined;

  constructor(init: { id: number; server: string; client: SftpClient; ssh: Client; sftp: SFTPWrapper; log?: SftpLog | undefined }) {
    this.id = init.id;
    this.server = init.server;
    this.#client = init.client;
    this.#ssh = init.ssh;
    this.#sftp = init.sftp;
    this.#log = init.log;
    const lost = (why: string) => () => this.markBroken(why);
    this.#ssh.on('close', lost('connection closed'));
    this.#ssh.on('end', lost('connection ended'));
    this.#sftp.on('close', lost('SFTP channel closed'));
    this.#sftp.on('end', lost('SFTP channel ended'));
    // Without a listener, a protocol error on the channel would be thrown as an uncaught 'error'.
    this.#sftp.on('error', (error: Error) => this.markBroken(error.message));
  }

  get broken(): boolean {
    return this.#broken;
  }

  markBroken(why: string): void {
    if (this.#broken) return;
    this.#broken = true;
    this.#log?.info('SFTP connection dropped', { server: this.server, connection: this.id, reason: why });
  }

  list(path: string): Promise<RemoteEntry[]> {
    return this.#run<RemoteEntry[]>((done) =>
      this.#sftp.readdir(path, (error, entries) =>
        done(
          error,
          entries?.map((entry) => ({ name: entry.filename, isFile: entry.attrs.isFile(), isDirectory: entry.attrs.isDirectory(), size: entry.attrs.size })),
        ),
      ),
    );
  }

  stat(path: string): Promise<Stats> {
    return this.#run<Stats>((done) => this.#sftp.stat(path, done));
  }

  /** Whether `path` exists; other failures (permissions, connection) are thrown. */
  async exists(path: string): Promise<boolean> {
    try {
      await this.stat(path);
      return true;
    } catch (error) {
      if ((error as { code?: unknown }).code === SFTP_STATUS.NO_SUCH_FILE) return false;
      throw error;
    }
  }

  readFile(path: string): Promise<Buffer> {
    return this.#run<Buffer>((done) => this.#sftp.readFile(path, (error, data) => done(error, data)));
  }

  /**
   * Creates or truncates `path`, then writes `bytes` with several chunks in flight. When every
   * chunk fits in one flight, the close is sent right behind the writes: the server answers a
   * channel's requests in order, so the close still comes after them and its reply (or a write's
   * error) tells whether the file is whole — one round trip fewer per small upload.
   */
  async writeFile(path: string, bytes: Buffer): Promise<void> {
    const timeoutMs = REQUEST_TIMEOUT_MS + Math.ceil(bytes.length / SLOWEST_UPLINK_BYTES_PER_SECOND) * 1000;
    const handle = await this.#run<Buffer>((done) => this.#sftp.open(path, 'w', 0o644, done));
    const chunks = Math.ceil(bytes.length / WRITE_CHUNK_BYTES);
    if (chunks <= WRITES_IN_FLIGHT) {
      const writes: Promise<void>[] = [];
      for (let offset = 0; offset < bytes.length; offset += WRITE_CHUNK_BYTES) {
        const length = Math.min(WRITE_CHUNK_BYTES, bytes.length - offset);
        writes.push(this.#run<void>((done) => this.#sftp.write(handle, bytes, offset, length, offset, (error) => done(error)), timeoutMs));
      }
      const closing = this.#run<void>((done) => this.#sftp.close(handle, (error) => done(error)));
      // Every reply is awaited (none left unhandled); the first failure is the upload's.
      const outcomes = await Promise.allSettled([...writes, closing]);
      const failed = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
      if (failed) throw failed.reason;
      return;
    }
    // Every writer's failure, in order: the first is the upload's.
    const failures: unknown[] = [];
    try {
      let next = 0;
      const writer = async (): Promise<void> => {
        while (next < bytes.length && failures.length === 0) {
          const offset = next;
          const length = Math.min(WRITE_CHUNK_BYTES, bytes.length - offset);
          next += length;
          await this.#run<void>((done) => this.#sftp.write(handle, bytes, offset, length, offset, (error) => done(error)), timeoutMs);
        }
      };
      const writers = Array.from({ length: WRITES_IN_FLIGHT }, () =>
        writer().catch((error: unknown) => {
          failures.push(error);
        }),
      );
      await Promise.all(writers);
    } finally {
      // Closing commits the write on the server; a close error is the write's error.
      const closing = this.#run<void>((done) => this.#sftp.close(handle, (error) => done(error)));
      if (failures.length === 0) await closing;
      else await closing.catch(() => undefined);
    }
    if (failures.length > 0) throw failures[0];
  }

  rename(from: string, to: string): Promise<void> {
    return this.#run<void>((done) => this.#sftp.rename(from, to, (error) => done(error)));
  }

  /** Deletes `path`; a file that is already gone is fine. */
  async remove(path: string): Promise<void> {
    try {
      await this.#run<void>((done) => this.#sftp.unlink(path, (error) => done(error)));
    } catch (error) {
      if ((error as { code?: unknown }).code !== SFTP_STATUS.NO_SUCH_FILE) throw error;
    }
  }

  /** Creates the folder; one that already exists is fine. */
  async makeFolder(path: string): Promise<void> {
    try {
      await this.#run<void>((done) => this.#sftp.mkdir(path, (error) => done(error)));
    } catch (error) {
      if (typeof (error as { code?: unknown }).code === 'number' && (await this.exists(path))) return;
      throw error;
    }
  }

  /** Says goodbye if the connection still works (bounded in time), then lets go of the socket. */
  async end(): Promise<void> {
    if (!this.#broken) {
      this.#broken = true;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        this.#client.end().catch(() => undefined),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, END_TIMEOUT_MS);
        }),
      ]);
      clearTimeout(timer);
    }
    this.#ssh.destroy();
  }

  /**
   * One SFTP request as a promise. A request on a closed channel would never be answered, so a
   * broken connection refuses at once, and a request left unanswered too long breaks it.
   */
  #run<T>(start: (done: (error: Error | null | undefined, value?: T) => void) => void, timeoutMs = REQUEST_TIMEOUT_MS): Promise<T> {
    if (this.#broken) return Promise.reject(connectionLost(this.server));
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(() => {
        if (settled) return;
        settled = true;
        this.markBroken(`no answer within ${timeoutMs / 1000} s`);
        this.#ssh.destroy();
        reject(Object.assign(new Error(`No response from server within ${timeoutMs / 1000} s`), { level: 'client-timeout' }));
      }, timeoutMs);
      const done = (error: Error | null | undefined, value?: T): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (error) {
          // SFTP status errors carry a numeric code; anything else is the connection failing.
          if (typeof (error as { code?: unknown }).code !== 'number') this.markBroken(error.message);
          reject(error);
        } else {
          resolve(value as T);
        }
      };
      try {
        start(done);
      } catch (error) {
        done(error instanceof Error ? error : new Error(String(error)));
      }
    });
  }
}

function connectionLost(server: string): Error {
  return new Error(`Not connected to ${server}: the connection was lost`);
}

/**
 * Opens a connection: pinned host key, credentials read now, Nagle off (each request would stall
 * ~40 ms otherwise), keepalive. Throws a classified HubRequestError.
 */
export async function openSftpSession(options: SftpConnectOptions): Promise<SftpSession> {
  const server = serverLabel(options.host, options.port);
  const credentials = options.credentials();
  const context: SftpErrorContext = {
    server,
    username: options.username,
    authMethod: authMethodLabel(credentials),
    connectTimeoutMs: options.connectTimeoutMs,
  };
  if (!credentials.privateKey && !credentials.password) {
    throw new HubRequestError({
      kind: 'auth',
      code: 'no_credentials',
      message: `no SFTP credentials for user ${options.username}: set the private key or the password for ${server}`,
    });
  }

  const id = ++sessionCounter;
  const pin = pinnedHostKey(server, options.hostKeyFingerprint);
  let session: SftpSession | null = null;
  let rawError: unknown = null;
  const { SftpClient: SftpClientClass } = await loadSshLibrary();
  const client = new SftpClientClass(`recapito-sftp-${id}`, {
    // Failures after connecting are noticed through the session; these only keep the library quiet.
    error: (error: unknown) => session?.markBroken(error instanceof Error ? error.message : String(error)),
    end: () => session?.markBroken('connection ended'),
    close: () => session?.markBroken('connection closed'),
  });
  const ssh = (client as unknown as { client: Client }).client;
  // ssh2-sftp-client rewraps errors and drops ssh2's `level`: keep the original for classification.
  ssh.on('error', (error: unknown) => {
    rawError ??= error;
  });
  ssh.once('connect', () => ssh.setNoDelay(true));

  const config: ConnectConfig = {
    host: options.host,
    port: options.port,
    username: options.username,
    hostVerifier: pin.verify,
    readyTimeout: options.connectTimeoutMs,
    keepaliveInterval: options.keepaliveIntervalMs,
    keepaliveCountMax: KEEPALIVE_COUNT_MAX,
    tryKeyboard: false,
    ...(credentials.privateKey ? { privateKey: credentials.privateKey } : {}),
    ...(credentials.privateKey && credentials.passphrase ? { passphrase: credentials.passphrase } : {}),
    ...(credentials.password ? { password: credentials.password } : {}),
  };

  let timer: NodeJS.Timeout | undefined;
  try {
    const sftp = await Promise.race([
      client.connect(config),
      new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => {
          ssh.destroy();
          reject(Object.assign(new Error('Timed out while waiting for handshake'), { level: 'client-timeout' }));
        }, options.connectTimeoutMs + SUBSYSTEM_GRACE_MS);
      }),
    ]);
    ssh.setNoDelay(true);
    session = new SftpSession({ id, server, client, ssh, sftp, log: options.log });
    return session;
  } catch (error) {
    ssh.destroy();
    throw withoutSecrets(classifySftpError(pin.mismatch() ?? rawError ?? error, context), credentialSecrets(credentials));
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The credentials a message must never show (withoutSecrets), even if a server echoes one back.
 * Values shorter than four characters are left out: they would blot out ordinary words.
 */
export function credentialSecrets(credentials: SftpCredentials): string[] {
  return [credentials.password, credentials.passphrase, credentials.privateKey].filter((s): s is string => typeof s === 'string' && s.length >= 4);
}

/**
 * Up to `size` connections, each lent to at most `usersPerConnection` callers at a time: SFTP tags
 * every request with an id, so several uploads can share one channel and keep it busy while each
 * waits for its round trips. A connection that broke is dropped when returned; the next caller gets
 * a new one. A call that fails because a reused connection had died is tried once more on a fresh
 * one; anything else is left to the caller's backoff.
 */
export class SftpConnectionPool {
  readonly #size: number;
  readonly #usersPerConnection: number;
  readonly #open: () => Promise<SftpSession>;
  /** Open connections and how many callers each is lent to now. */
  readonly #users = new Map<SftpSession, number>();
  readonly #waiting: (() => void)[] = [];
  #opening = 0;
  #closed = false;

  constructor(size: number, open: () => Promise<SftpSession>, usersPerConnection = 1) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`an SFTP pool needs at least one connection, not ${size}`);
    if (!Number.isInteger(usersPerConnection) || usersPerConnection < 1)
      throw new RangeError(`a connection serves at least one caller, not ${usersPerConnection}`);
    this.#size = size;
    this.#usersPerConnection = usersPerConnection;
    this.#open = open;
  }

  get openConnections(): number {
    return this.#users.size;
  }

  async use<T>(work: (session: SftpSession) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt += 1) {
      const { session, reused } = await this.#acquire();
      try {
        return await work(session);
      } catch (error) {
        if (!(session.broken && reused && attempt === 0 && !this.#closed)) throw error;
        // The connection had died while idle (server restarted, network changed): once more, fresh.
      } finally {
        this.#release(session);
      }
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#wakeAll();
    const sessions = [...this.#users.keys()];
    this.#users.clear();
    await Promise.all(sessions.map((session) => session.end()));
  }

  async #acquire(): Promise<{ session: SftpSession; reused: boolean }> {
    for (;;) {
      if (this.#closed) throw new HubRequestError({ kind: 'transient', code: 'closed', message: 'the SFTP hub client is closed' });
      for (const [session, users] of this.#users) {
        if (session.broken && users === 0) this.#discard(session);
      }
      const shared = this.#leastBusy();
      // A new connection while there is room for one beats sharing a busy one.
      if (shared && (this.#users.get(shared) === 0 || this.#users.size + this.#opening >= this.#size)) {
        this.#users.set(shared, (this.#users.get(shared) ?? 0) + 1);
        return { session: shared, reused: true };
      }
      if (this.#users.size + this.#opening < this.#size) {
        this.#opening += 1;
        let session: SftpSession;
        try {
          session = await this.#open();
        } catch (error) {
          // A failed open frees its slot: let the waiting callers try.
          this.#opening -= 1;
          this.#wakeAll();
          throw error;
        }
        this.#opening -= 1;
        if (this.#closed) {
          await session.end();
          continue;
        }
        this.#users.set(session, 1);
        // Callers that queued while this one was opening may share it.
        this.#wakeAll();
        return { session, reused: false };
      }
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    }
  }

  /** The working connection with the fewest callers, if one has room for another. */
  #leastBusy(): SftpSession | null {
    let best: SftpSession | null = null;
    let bestUsers = this.#usersPerConnection;
    for (const [session, users] of this.#users) {
      if (!session.broken && users < bestUsers) {
        best = session;
        bestUsers = users;
      }
    }
    return best;
  }

  #release(session: SftpSession): void {
    const users = this.#users.get(session);
    if (this.#closed || users === undefined) {
      void session.end(); // never rejects (end() catches the goodbye's failure)
    } else if (session.broken) {
      this.#users.set(session, users - 1);
      if (users - 1 === 0) this.#discard(session);
    } else {
      this.#users.set(session, users - 1);
    }
    this.#wakeAll();
  }

  /** Every waiting caller looks again (a handful at most: the outbox's concurrency). */
  #wakeAll(): void {
    for (const wake of this.#waiting.splice(0)) wake();
  }

  #discard(session: SftpSession): void {
    this.#users.delete(session);
    void session.end(); // never rejects (end() catches the goodbye's failure)
  }
}
