// The hub over SFTP (docs/hub-protocol.md, SFTP), with the same semantics as the HTTPS client: uploads
// land in in/ under a dot-name and are renamed when whole; status files in out/ are the event feed,
// deleted with the files they name only after the caller committed them.
import { posix } from 'node:path';
import { randomUUID } from 'node:crypto';
import { hubEventSchema } from './hub-event-schema.ts';
import type { HubAccount, HubEvent, HubEventsPage } from '../../contract/hub-protocol.ts';
import { HubRequestError, assertEventsRequest } from './hub-client.ts';
import type { EventsRequest, HubClient, UploadRequest, UploadResult } from './hub-client.ts';
import { classifySftpError, type SftpErrorContext } from './classify-sftp-error.ts';
import { SftpConnectionPool, credentialSecrets, openSftpSession, serverLabel } from './sftp-connection-pool.ts';
import { withoutSecrets } from './without-secrets.ts';
import type { RemoteEntry, SftpCredentials, SftpLog, SftpSession } from './sftp-connection-pool.ts';
import { fitName } from '../util/file-names.ts';

export interface SftpHubClientOptions {
  host: string;
  port: number;
  username: string;
  /** Remote folder holding in/ and out/ (relative to the login folder, or absolute). */
  root: string;
  /** Pinned: a server showing any other host key is refused (kind 'host_key'). */
  hostKeyFingerprint: string;
  /** Read at each connect. */
  credentials: () => SftpCredentials;
  /** Upload connections, default 2 (the event feed has one of its own). */
  connections?: number;
  /** How often out/ is listed while long-polling, default 5000, jittered ±20%. */
  pollIntervalMs?: number;
  keepaliveIntervalMs?: number;
  connectTimeoutMs?: number;
  log?: SftpLog;
}

const DEFAULT_CONNECTIONS = 2;
/** Uploads sharing one connection: each is 3 round trips, so several keep the channel busy (8 in flight with 2 connections, the outbox's default concurrency). */
const UPLOADS_PER_CONNECTION = 4;
const DEFAULT_POLL_MS = 5_000;
const DEFAULT_KEEPALIVE_MS = 15_000;
const DEFAULT_CONNECT_TIMEOUT_MS = 15_000;
const POLL_JITTER = 0.2;
/** A status file is a small JSON document; anything bigger is not one. */
const MAX_STATUS_FILE_BYTES = 1024 * 1024;
/** Status files read at once on the feed connection (SFTP answers them in parallel). */
const STATUS_READS_IN_FLIGHT = 16;
/** documentId → idempotencyKey entries kept for downloads; the oldest go first. */
const MAX_REMEMBERED_DOCUMENTS = 10_000;
/**
 * Longest name most file systems accept, in bytes. The upload name is ASCII (percent-encoded), so
 * its length in characters is its length in bytes; a Windows server's 255 UTF-16 units are the same.
 */
const MAX_NAME_BYTES = 255;

const SEPARATOR = '__';
/** `<seq 12 digits>__<idempotencyKey>__<status>.json` */
const STATUS_FILE = /^(\d{12})__(.+)__([a-z_]+)\.json$/;
/** Anything named like a status file is treated as one: if it does not parse, it is moved aside. */
const STATUS_FILE_LIKE = /^(\d{12})__.*\.json$/;
const UPLOAD_KEY = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

interface StatusFile {
  name: string;
  seq: number;
  size: number;
}

/** The out/ files behind one returned event: deleted together once the caller has committed it. */
interface Backing {
  seq: number;
  statusFile: string;
  files: string[];
}

type StatusRead =
  { ok: true; event: HubEvent; file: StatusFile } | { ok: false; file: StatusFile; problem: string } | { ok: false; file: StatusFile; gone: true };

export function createSftpHubClient(options: SftpHubClientOptions): HubClient {
  const server = serverLabel(options.host, options.port);
  const root = normalizeRoot(options.root);
  const inDir = posix.join(root, 'in');
  const outDir = posix.join(root, 'out');
  const malformedDir = posix.join(outDir, 'malformed');
  const pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_MS;
  const log = options.log;

  const open = (): Promise<SftpSession> =>
    openSftpSession({
      host: options.host,
      port: options.port,
      username: options.username,
      hostKeyFingerprint: options.hostKeyFingerprint,
      credentials: options.credentials,
      keepaliveIntervalMs: options.keepaliveIntervalMs ?? DEFAULT_KEEPALIVE_MS,
      connectTimeoutMs: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      log,
    });
  const uploads = new SftpConnectionPool(options.connections ?? DEFAULT_CONNECTIONS, open, UPLOADS_PER_CONNECTION);
  const feed = new SftpConnectionPool(1, open);

  // Feed state: what backs each returned event, and how far the caller has committed.
  const backing = new Map<string, Backing>();
  const documentKeys = new Map<string, string>();
  let acknowledgedThrough = -1;
  let askedBefore = false;
  let lastListing: StatusFile[] = [];
  const unmovable = new Set<string>();

  /** Runs one step on a folder; any failure comes out classified, naming the folder. */
  async function step<T>(where: Omit<SftpErrorContext, 'server' | 'username' | 'root'>, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw withoutSecrets(classifySftpError(error, { server, username: options.username, root, ...where }), credentialSecrets(options.credentials()));
    }
  }

  const IN = { folder: 'in/' } as const;
  const OUT = { folder: 'out/' } as const;

  async function listStatusFiles(session: SftpSession): Promise<StatusFile[]> {
    const entries: RemoteEntry[] = await step({ ...OUT, action: 'list' }, () => session.list(outDir));
    return entries
      .filter((entry) => entry.isFile && STATUS_FILE_LIKE.test(entry.name))
      .map((entry) => ({ name: entry.name, seq: Number(STATUS_FILE_LIKE.exec(entry.name)?.[1]), size: entry.size }))
      .sort((a, b) => a.seq - b.seq || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async function readStatusFile(session: SftpSession, file: StatusFile): Promise<StatusRead> {
    if (file.size > MAX_STATUS_FILE_BYTES) return { ok: false, file, problem: `it is ${file.size} bytes, too large for a status file` };
    let bytes: Buffer;
    try {
      bytes = await step({ ...OUT, action: 'read', file: `out/${file.name}` }, () => session.readFile(posix.join(outDir, file.name)));
    } catch (error) {
      // Gone between listing and reading (another agent on the same account acknowledged it).
      if (error instanceof HubRequestError && error.code === 'file_missing') return { ok: false, file, gone: true };
      throw error;
    }
    const parsed = parseStatusFile(file.name, bytes);
    return parsed.ok ? { ok: true, event: parsed.event, file } : { ok: false, file, problem: parsed.problem };
  }

  /** A status file that does not parse is moved to out/malformed/ so it never blocks the feed. */
  async function moveAside(session: SftpSession, file: StatusFile, problem: string): Promise<void> {
    log?.warn('malformed status file in out/ moved to out/malformed/', { file: file.name, problem });
    try {
      await session.makeFolder(malformedDir);
      const target = posix.join(malformedDir, file.name);
      try {
        await session.rename(posix.join(outDir, file.name), target);
      } catch (error) {
        if (session.broken || !(await session.exists(target))) throw error;
        await session.rename(posix.join(outDir, file.name), `${target}.${Date.now()}`);
      }
    } catch (error) {
      if (session.broken) throw classifySftpError(error, { server, username: options.username, ...OUT });
      // Cannot be moved (permissions): skip it from now on rather than report it at every poll.
      unmovable.add(file.name);
      log?.error('malformed status file cannot be moved aside; it is skipped', { file: file.name, error: (error as Error).message });
    }
  }

  /** Files named by status files the caller has committed: data files first, then the status file. */
  async function deleteApplied(session: SftpSession, through: number, listing: StatusFile[]): Promise<void> {
    const due = [...backing.values()].filter((entry) => entry.seq <= through);
    const known = new Set(due.map((entry) => entry.statusFile));
    const stale = listing.filter((file) => file.seq <= through && !known.has(file.name) && !unmovable.has(file.name));
    for (const read of await Promise.all(stale.map((file) => readStatusFile(session, file)))) {
      if (read.ok) due.push(backingOf(read.event, read.file));
      else if (!('gone' in read)) due.push({ seq: read.file.seq, statusFile: read.file.name, files: [] });
    }
    if (due.length === 0) return;
    // A file still named by an event not yet committed stays.
    const stillNeeded = new Set([...backing.values()].filter((entry) => entry.seq > through).flatMap((entry) => entry.files));
    const dataFiles = [...new Set(due.flatMap((entry) => entry.files))].filter((name) => !stillNeeded.has(name));
    const remove = (name: string) => step({ ...OUT, action: 'delete files in' }, () => session.remove(posix.join(outDir, name)));
    await Promise.all(dataFiles.map(remove));
    await Promise.all(due.map((entry) => remove(entry.statusFile)));
    for (const entry of due) backing.delete(entry.statusFile);
  }

  async function readFeed(session: SftpSession, request: EventsRequest): Promise<HubEventsPage> {
    if (!askedBefore) {
      // A new client remembers no acknowledgement, but the caller asks from its committed cursor:
      // what lies at or below it was applied before a restart and only its deletion was lost.
      askedBefore = true;
      acknowledgedThrough = Math.max(acknowledgedThrough, request.since);
    }
    const listing = (lastListing = await listStatusFiles(session));
    if (listing.some((file) => file.seq <= acknowledgedThrough)) {
      // Left over from an acknowledgement that did not finish: best effort, never blocks the feed.
      await deleteApplied(session, acknowledgedThrough, listing).catch((error: unknown) => {
        if (session.broken) throw error;
        log?.warn('could not delete applied status files from out/', { error: (error as Error).message });
      });
    }
    const fresh = listing.filter((file) => file.seq > request.since && !unmovable.has(file.name));
    const events: HubEvent[] = [];
    let next = 0;
    while (next < fresh.length && events.length < request.limit) {
      const batch = fresh.slice(next, next + Math.min(STATUS_READS_IN_FLIGHT, request.limit - events.length));
      next += batch.length;
      for (const read of await Promise.all(batch.map((file) => readStatusFile(session, file)))) {
        if (read.ok) {
          events.push(read.event);
          remember(read.event, read.file);
        } else if (!('gone' in read)) {
          await moveAside(session, read.file, read.problem);
        }
      }
    }
    const lastSeq = Math.max(request.since, ...events.map((event) => event.seq));
    return { events, lastSeq };
  }

  function remember(event: HubEvent, file: StatusFile): void {
    backing.set(file.name, backingOf(event, file));
    documentKeys.delete(event.documentId);
    documentKeys.set(event.documentId, event.idempotencyKey);
    if (documentKeys.size > MAX_REMEMBERED_DOCUMENTS) {
      const oldest = documentKeys.keys().next().value;
      if (oldest !== undefined) documentKeys.delete(oldest);
    }
  }

  return {
    transport: 'sftp',
    endpoint: `sftp://${encodeURIComponent(options.username)}@${server}${root === '.' ? '' : root.startsWith('/') ? root : `/${root}`}`,

    async account(signal?: AbortSignal): Promise<HubAccount> {
      signal?.throwIfAborted();
      await feed.use(async (session) => {
        // Writable in/: create and delete a dot-file (the hub ignores dot-files).
        const probe = posix.join(inDir, `.recapito-probe-${randomUUID()}`);
        await step({ ...IN, action: 'write to' }, () => session.writeFile(probe, Buffer.alloc(0)));
        await step({ ...IN, action: 'delete files in' }, () => session.remove(probe));
        await step({ ...OUT, action: 'list' }, () => session.list(outDir));
      });
      return {
        account: { id: options.username, name: options.host },
        key: { id: 'sftp', expiresAt: null },
        credits: { remaining: null },
        companies: [],
      };
    },

    async upload(request: UploadRequest, signal?: AbortSignal): Promise<UploadResult> {
      signal?.throwIfAborted();
      const key = request.idempotencyKey;
      const finalName = uploadFileName(key, request.fileName);
      const part = posix.join(inDir, `.${key}.part`);
      const target = posix.join(inDir, finalName);
      return uploads.use(async (session) => {
        // A .part left by a crash is overwritten: the hub never looks at dot-files.
        await step({ ...IN, action: 'write to' }, () => session.writeFile(part, request.bytes));
        let replay = false;
        await step({ ...IN, action: 'rename files in' }, async () => {
          try {
            await session.rename(part, target);
          } catch (error) {
            // Already there: a retry after a crash that happened after the rename.
            if (session.broken || !(await session.exists(target))) throw error;
            await session.remove(part);
            replay = true;
          }
        });
        return { hubId: key, receivedAt: new Date().toISOString(), replay };
      });
    },

    async events(request: EventsRequest, signal?: AbortSignal): Promise<HubEventsPage> {
      assertEventsRequest(request);
      const deadline = Date.now() + request.timeoutSeconds * 1000;
      for (;;) {
        signal?.throwIfAborted();
        const page = await feed.use((session) => readFeed(session, request));
        const left = deadline - Date.now();
        if (page.events.length > 0 || left <= 0) return page;
        await sleep(Math.min(jittered(pollIntervalMs), left), signal);
      }
    },

    async acknowledge(seq: number): Promise<void> {
      if (!Number.isSafeInteger(seq) || seq < 0) throw new RangeError(`invalid sequence number to acknowledge: ${seq}`);
      acknowledgedThrough = Math.max(acknowledgedThrough, seq);
      const through = acknowledgedThrough;
      await feed.use((session) => deleteApplied(session, through, lastListing));
      lastListing = lastListing.filter((file) => file.seq > through);
    },

    async documents(): Promise<[]> {
      // SFTP has no lookup: the caller reconciles from the status files.
      return [];
    },

    async downloadFile(hubId: string, name: string, signal?: AbortSignal): Promise<Buffer> {
      signal?.throwIfAborted();
      const problem = fileNameProblem(name);
      if (problem) throw new HubRequestError({ kind: 'permanent', code: 'invalid_file_name', message: `cannot download "${name}" from the hub: ${problem}` });
      // SFTP events carry the hub's document id; the files are named by the idempotency key.
      const key = documentKeys.get(hubId) ?? hubId;
      const fileName = documentFileName(key, name);
      return feed.use((session) => step({ ...OUT, action: 'read', file: `out/${fileName}` }, () => session.readFile(posix.join(outDir, fileName))));
    },

    async close(): Promise<void> {
      await Promise.all([uploads.close(), feed.close()]);
    },
  };
}

/**
 * The original name with anything outside [A-Za-z0-9._-] percent-encoded as %XX of its UTF-8
 * bytes, so the hub can decode it exactly.
 */
export function safeFileName(name: string): string {
  let safe = '';
  for (const byte of Buffer.from(name, 'utf8')) {
    const char = String.fromCharCode(byte);
    safe += /[A-Za-z0-9._-]/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return safe;
}

/**
 * `<idempotencyKey>__<safe name>`, shortened (keeping the extension, '.xml.p7m' included) to what a
 * file system accepts. Percent-encoding makes a byte three: the original name is cut between code
 * points with its encoded length as the measure, so the hub always decodes whole UTF-8 characters.
 */
export function uploadFileName(idempotencyKey: string, fileName: string): string {
  if (!UPLOAD_KEY.test(idempotencyKey) || idempotencyKey.includes(SEPARATOR)) {
    throw new HubRequestError({
      kind: 'permanent',
      code: 'invalid_request',
      message: `document cannot be sent: its id "${idempotencyKey}" cannot be part of an SFTP file name`,
    });
  }
  if (!fileName) throw new HubRequestError({ kind: 'permanent', code: 'invalid_request', message: 'document cannot be sent: it has no file name' });
  const prefix = `${idempotencyKey}${SEPARATOR}`;
  const encodedLength = (text: string): number => safeFileName(text).length;
  return `${prefix}${safeFileName(fitName(fileName, MAX_NAME_BYTES - prefix.length, { measure: encodedLength }))}`;
}

function backingOf(event: HubEvent, file: StatusFile): Backing {
  return { seq: event.seq, statusFile: file.name, files: (event.files ?? []).map((name) => documentFileName(event.idempotencyKey, name)) };
}

function documentFileName(idempotencyKey: string, name: string): string {
  return `${idempotencyKey}${SEPARATOR}${name}`;
}

/** A file name from the hub becomes part of a path: it must stay inside out/. */
function fileNameProblem(name: string): string | null {
  if (!name || name === '.' || name === '..') return 'the name is empty or a folder reference';
  // eslint-disable-next-line no-control-regex
  if (/[/\\\u0000-\u001f]/.test(name)) return 'the name contains a slash or a control character';
  if (Buffer.byteLength(name) > MAX_NAME_BYTES) return 'the name is too long';
  return null;
}

function normalizeRoot(root: string): string {
  const trimmed = root.trim();
  if (!trimmed) return '.';
  const normalized = posix.normalize(trimmed);
  return normalized.length > 1 ? normalized.replace(/\/+$/, '') : normalized;
}

function jittered(ms: number): number {
  return Math.max(1, Math.round(ms * (1 - POLL_JITTER + Math.random() * 2 * POLL_JITTER)));
}

/** Waits `ms`; an abort ends the wait at once and rejects with the signal's reason. */
async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  signal?.throwIfAborted();
  await new Promise<void>((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
  signal?.throwIfAborted();
}

// ---- Status files: the same JSON as an Event (docs/hub-protocol.md), named after it. ----

export function parseStatusFile(name: string, bytes: Buffer): { ok: true; event: HubEvent } | { ok: false; problem: string } {
  const named = STATUS_FILE.exec(name);
  if (!named) return { ok: false, problem: 'the name is not <seq 12 digits>__<idempotencyKey>__<status>.json' };
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    return { ok: false, problem: 'it is not JSON' };
  }
  const result = hubEventSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue && issue.path.length > 0 ? issue.path.join('.') : 'the document';
    return { ok: false, problem: `it is not an event: ${where}: ${issue?.message ?? 'unexpected shape'}` };
  }
  const event = result.data as HubEvent;
  const [, seq, key, status] = named;
  if (event.seq !== Number(seq) || event.idempotencyKey !== key || event.status !== status) {
    return {
      ok: false,
      problem: `its name says seq ${Number(seq)}, key ${key}, status ${status}, but it contains seq ${event.seq}, key ${event.idempotencyKey}, status ${event.status}`,
    };
  }
  const badFile = (event.files ?? []).find((file) => fileNameProblem(file) !== null);
  if (badFile !== undefined) return { ok: false, problem: `it names a file that cannot be in out/ ("${badFile}": ${fileNameProblem(badFile)})` };
  return { ok: true, event };
}
