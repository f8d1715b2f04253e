// The support bundle (docs/support-bundle.md): one ZIP a person hands to the helpdesk. It holds the
// agent's log tail, the settings, versions, queue counts, the last events, the hub, printer and
// service checks, the watched folders' states, and manifest.json: what is in it, what was left out
// and why, and the limits it was cut to. Built from facts a collector gathered (from the running
// agent, or read-only from a stopped agent's data folder: collect-offline.ts); never from the
// secrets file, the API token file, the documents or the store's file, and every file is scrubbed
// all the same (scrub.ts) before it is zipped.
import os from 'node:os';
import type { AgentStatus } from '../../contract/local-api.ts';
import { existsSync } from 'node:fs';
import { readStoreSnapshot, sqliteLibraryVersion, type StoreSnapshot } from '../store/store-snapshot.ts';
import { readLogTail } from './log-tail.ts';
import { SecretPatterns, redactFacts } from './scrub.ts';

const MiB = 1024 * 1024;

/** How much the bundle holds at most; written in its manifest. */
export interface SupportBundleLimits {
  /** The log files' bytes, newest first (the tail of the last file that fits). */
  logBytes: number;
  /** The last events of the log. */
  events: number;
  /** The settings file (offline, it is copied as it is). */
  settingsBytes: number;
}

export const SUPPORT_BUNDLE_LIMITS: SupportBundleLimits = { logBytes: 8 * MiB, events: 500, settingsBytes: 256 * 1024 };

/** The bundle's file name, `recapito-support-20261207-153000Z.zip` (UTC). */
export const BUNDLE_NAME_PREFIX = 'recapito-support';

export interface FolderState {
  profile: string;
  folder: string;
  /** As the running agent sees it, or what the folder is now when no agent runs. */
  state: string;
  error: string | null;
}

/** What a collector found: the running agent's view, or the data folder's. */
export interface BundleFacts {
  mode: 'running' | 'offline';
  dataDir: string;
  logsDir: string;
  agentVersion: string;
  createdAt: Date;
  /** The settings as JSON text (the running agent's, or the file as it is), or why there are none. */
  settings: { text: string; source: string } | { missing: string };
  /** The running agent's status (hub check, printers, services, watchers); null when none runs. */
  status: AgentStatus | null;
  /** Why there is no status. */
  statusNote: string | null;
  snapshot: StoreSnapshot | { error: string };
  folders: FolderState[];
  /** Every secret value known here: searched for in every file, in every spelling. */
  secrets: readonly string[];
  /** What the collector could not do or wants said (e.g. secrets it could not read to scrub by value). */
  notes: string[];
  /** Electron's version, in the desktop app. */
  electronVersion: string | null;
}

export interface BundleEntry {
  name: string;
  what: string;
  bytes: number;
  truncated?: string;
}

export interface LeftOut {
  what: string;
  why: string;
}

export interface SupportBundle {
  name: string;
  bytes: Buffer;
  manifest: BundleManifest;
}

export type BundleManifest = ReturnType<typeof bundleManifest>;

/** What is never in a bundle, whatever the agent's state. */
export const NEVER_INCLUDED: readonly LeftOut[] = [
  {
    what: 'the secrets (hub API key, SFTP password, private key and passphrase) in secrets.json, secrets.safe.json or the environment',
    why: 'never read into the bundle; their values are only searched for and removed',
  },
  { what: 'the local API token (api-token)', why: 'never read into the bundle; its value is only searched for and removed' },
  { what: "approvers' PINs and their hashes (the approvers table)", why: 'PINs are never stored in clear; the table of hashes is not read' },
  { what: 'recapito.sqlite, the store itself', why: "it holds every invoice's parties; the bundle has the counts and the last events" },
  { what: 'spool/ and printer-spool/: the documents', why: 'invoices hold personal and fiscal data; the helpdesk asks for one when needed' },
];

/**
 * manifest.json, built here and only here: a plain object, so a field (a product name, a support
 * contact) is one line.
 */
export function bundleManifest(facts: BundleFacts, limits: SupportBundleLimits, files: BundleEntry[], leftOut: LeftOut[], secretsSearched: number) {
  return {
    bundle: BUNDLE_NAME_PREFIX,
    format: 1,
    createdAt: facts.createdAt.toISOString(),
    agentVersion: facts.agentVersion,
    agentRunning: facts.mode === 'running',
    branding: facts.status?.branding ?? null, // docs/white-label.md: whose product the helpdesk is looking at, and its support contact
    madeBy: facts.mode === 'running' ? 'the running agent' : 'read-only from the data folder (agent not running)',
    dataDir: facts.dataDir,
    limits: {
      logBytes: limits.logBytes,
      events: limits.events,
      settingsBytes: limits.settingsBytes,
      note: `logs: the newest ${limits.logBytes} bytes at most, cut at a whole line; events: the last ${limits.events}`,
    },
    files,
    leftOut,
    scrubbing: {
      knownSecretsSearched: secretsSearched,
      how: 'each known secret in every spelling (plain, JSON-escaped, URL-encoded, base64 and base64url at each alignment, hex, UTF-16), fields and parameters named like a secret, and Authorization headers are replaced by [redacted]',
    },
    notes: facts.notes,
  };
}

/** Builds the ZIP in memory (its size is bounded by the limits). */
export async function buildSupportBundle(facts: BundleFacts, limits: SupportBundleLimits = SUPPORT_BUNDLE_LIMITS): Promise<SupportBundle> {
  const patterns = new SecretPatterns(facts.secrets);
  const entries: { name: string; what: string; content: Buffer; truncated?: string }[] = [];
  const leftOut: LeftOut[] = [...NEVER_INCLUDED];
  const json = (value: unknown): Buffer => Buffer.from(`${JSON.stringify(redactFacts(value, facts.secrets), null, 2)}\n`, 'utf8');

  entries.push({ name: 'versions.json', what: 'agent, OS, Node.js, Electron and SQLite versions', content: json(versions(facts)) });

  if ('text' in facts.settings) {
    const whole = Buffer.from(facts.settings.text, 'utf8');
    const cut = whole.length > limits.settingsBytes;
    entries.push({
      name: 'settings.json',
      what: `the settings (${facts.settings.source}); they never hold secrets, and are scrubbed all the same`,
      content: cut ? whole.subarray(0, limits.settingsBytes) : whole,
      ...(cut ? { truncated: `the first ${limits.settingsBytes} of ${whole.length} bytes` } : {}),
    });
  } else {
    leftOut.push({ what: 'settings', why: facts.settings.missing });
  }

  entries.push({
    name: 'status.json',
    what: facts.status
      ? "the running agent's status: hub check, printers, services, watched folders, hold"
      : 'agent not running: no hub, printer or service checks',
    content: json(
      facts.status ?? {
        agentRunning: false,
        hub: 'agent not running',
        printers: 'agent not running',
        services: 'agent not running',
        note: facts.statusNote,
      },
    ),
  });

  const snapshot = facts.snapshot;
  if ('error' in snapshot) {
    leftOut.push({ what: 'queue counts and events', why: `the store could not be read: ${snapshot.error}` });
  } else {
    entries.push({
      name: 'queue.json',
      what: 'documents per state, the pause and hold of the queue, the store schema',
      content: json({
        counts: snapshot.counts,
        queue: snapshot.kv,
        lastEventSeq: snapshot.lastEventSeq,
        schemaVersion: snapshot.schemaVersion,
        knownSchemaVersion: snapshot.knownSchemaVersion,
      }),
    });
    const older = Math.max(0, snapshot.eventCount - snapshot.events.length);
    entries.push({
      name: 'events.json',
      what: `the last ${snapshot.events.length} events of the audit log, oldest first`,
      content: json(snapshot.events),
      ...(older > 0 ? { truncated: `${older} older events left out (the last ${limits.events} are kept)` } : {}),
    });
  }

  entries.push({ name: 'folders.json', what: "the watched folders' states", content: json(facts.folders) });

  const logs = await readLogTail(facts.logsDir, limits.logBytes);
  for (const file of logs.files) {
    entries.push({
      name: `logs/${file.name}`,
      what: 'agent log',
      content: file.bytes,
      ...(file.truncated ? { truncated: `the last ${file.bytes.length} of ${file.size} bytes, from a whole line` } : {}),
    });
  }
  for (const file of logs.leftOut) leftOut.push({ what: file.name, why: file.why });
  if (logs.files.length === 0 && logs.leftOut.length === 0) leftOut.push({ what: 'logs', why: `no log file in ${facts.logsDir}` });

  // Loaded when a bundle is made, not at the agent's start (docs/performance.md, "Memory").
  const { default: yazl } = await import('yazl');
  const zip = new yazl.ZipFile();
  const listed: BundleEntry[] = [];
  for (const entry of entries) {
    const content = await scrubInSlices(patterns, entry.content);
    zip.addBuffer(content, entry.name, { mtime: facts.createdAt, mode: 0o100600 });
    listed.push({ name: entry.name, what: entry.what, bytes: content.length, ...(entry.truncated ? { truncated: entry.truncated } : {}) });
  }
  const manifest = bundleManifest(facts, limits, listed, leftOut, facts.secrets.length);
  zip.addBuffer(patterns.scrubFile(json(manifest), 'text'), 'manifest.json', { mtime: facts.createdAt, mode: 0o100600 });
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  return { name: bundleFileName(facts.createdAt), bytes: Buffer.concat(chunks), manifest };
}

/** The store's counts and last events, read-only (beside a running agent too: WAL readers never block it), or why not. */
export function readSnapshotOrReason(dbFile: string, events: number): BundleFacts['snapshot'] {
  if (!existsSync(dbFile)) return { error: 'no store file (the agent never ran on this data folder)' };
  try {
    return readStoreSnapshot(dbFile, events);
  } catch (error) {
    return { error: (error as Error).message };
  }
}

/** Scrubbing 8 MiB of logs takes about a second: in slices of whole lines, the event loop runs between them. */
const SLICE_BYTES = 512 * 1024;

async function scrubInSlices(patterns: SecretPatterns, content: Buffer): Promise<Buffer> {
  const parts: Buffer[] = [];
  let start = 0;
  while (start < content.length) {
    let end = Math.min(content.length, start + SLICE_BYTES);
    if (end < content.length) {
      const newline = content.indexOf(0x0a, end);
      end = newline < 0 ? content.length : newline + 1;
    }
    parts.push(patterns.scrubFile(content.subarray(start, end), 'text'));
    start = end;
    if (start < content.length) await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return Buffer.concat(parts);
}

/** `recapito-support-20261207-153000Z.zip`. */
export function bundleFileName(at: Date): string {
  const stamp = at
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace(/[-:]/g, '')
    .replace('T', '-');
  return `${BUNDLE_NAME_PREFIX}-${stamp}.zip`;
}

function versions(facts: BundleFacts) {
  const snapshot = 'error' in facts.snapshot ? null : facts.snapshot;
  return {
    agent: facts.agentVersion,
    os: { platform: process.platform, type: os.type(), release: os.release(), version: os.version(), arch: process.arch },
    node: process.versions.node,
    electron: facts.electronVersion,
    v8: process.versions.v8,
    sqlite: snapshot?.sqliteVersion ?? sqliteLibraryVersion(),
    storeSchema: snapshot ? { file: snapshot.schemaVersion, known: snapshot.knownSchemaVersion } : null,
    locale: Intl.DateTimeFormat().resolvedOptions().locale,
    timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
  };
}
