// Keeps the data folder private to the user who runs the agent: it holds every invoice's parties and
// buyers' tax codes (database, spool, logs), the local API token and, headless, the secrets. Each
// writer creates its files 0600 and its folders 0700 itself, whatever the umask; this module creates
// the data folder and, once at start, tightens what an earlier version, a copy or a restore from a
// backup left open to group or others, with one log line per path it changed.
//
// Windows has no POSIX modes: nothing is checked or changed there. What protects the files is the
// folder's ACL: the default data folder is under %APPDATA%, in the user's profile, whose ACL (inherited
// by everything created inside) grants access only to the user, SYSTEM and Administrators. The agent
// does not read or check ACLs; a RECAPITO_DATA_DIR elsewhere has whatever ACL that folder gives.
import { chmodSync, lstatSync, mkdirSync, readdirSync, statSync, type Stats } from 'node:fs';
import { basename, join } from 'node:path';
import { dataPaths } from './data-dir.ts';

const PRIVATE_DIR_MODE = 0o700;

export interface PermissionLog {
  info(message: string): void;
  warn(message: string): void;
}

export interface PermissionRepair {
  /** Paths whose mode was changed. */
  tightened: number;
  /** Paths whose mode could not be changed (e.g. they belong to another user); each was logged. */
  failed: number;
  /** Whether the spool was walked (only when its own folder was open to others; see below). */
  spoolWalked: boolean;
}

/**
 * The files of the data folder, by name. Only these are touched: RECAPITO_DATA_DIR may name a folder
 * that holds other things too. Whoever adds a file kind adds it here (test/integration/private-data.test.ts
 * loosens everything a fresh start created and fails on a path left loose).
 */
function privateFileNames(dataDir: string): Set<string> {
  const paths = dataPaths(dataDir);
  return new Set([
    ...[paths.config, paths.secrets, paths.db, paths.apiToken, paths.apiUrl].map((path) => basename(path)),
    `${basename(paths.db)}-wal`,
    `${basename(paths.db)}-shm`,
    'agent.lock', // store/instance-lock.ts, via agent.ts
    'agent.pid', // host/run-agent.ts
    'printer-url', // host/run-agent.ts
    'secrets.safe.json', // the desktop shell's encrypted secrets (main/safe-storage-secret-store.ts)
    'desktop.json', // the desktop shell's preferences (main/desktop-preferences.ts)
  ]);
}

/** Folders every entry of which is the agent's, small enough to walk at each start. */
const SMALL_FOLDERS = ['logs', 'printer-spool'];

/** A temporary file of an atomic write (config-store.ts `.name.pid.hex.tmp`, fsync.ts `name.hex.tmp`) left by a crash. */
const TEMPORARY = /^\.?(.+?)\.(?:\d+\.)?[0-9a-f]{12}\.tmp$/;

/**
 * Creates the data folder (0700) if it is missing and tightens the modes of the agent's files
 * (0600) and folders (0700) in it that group or others can use. Synchronous: it runs once, before
 * the agent opens anything.
 *
 * The spool may hold hundreds of thousands of files, so it is walked only when the spool folder
 * itself is open to others. Every version of the agent created the spool folder and its shard
 * folders in one mkdir, with one mode, and its files 0600; the walk tightens the spool folder last,
 * so a walk cut short is done again at the next start.
 */
export function preparePrivateDataDir(dataDir: string, log: PermissionLog, platform: NodeJS.Platform = process.platform): PermissionRepair {
  const repair: PermissionRepair = { tightened: 0, failed: 0, spoolWalked: false };
  if (platform === 'win32') {
    // No POSIX modes: the folder's ACL protects it (see the top of this file).
    mkdirSync(dataDir, { recursive: true });
    return repair;
  }
  mkdirSync(dataDir, { recursive: true, mode: PRIVATE_DIR_MODE });
  // statSync, not lstat: a data folder that is a link is the folder the user chose.
  tighten(dataDir, statSync(dataDir), log, repair);

  const files = privateFileNames(dataDir);
  for (const name of readdirSync(dataDir)) {
    const path = join(dataDir, name);
    const stat = lstatSync(path, { throwIfNoEntry: false });
    if (!stat) continue;
    if (stat.isFile() && (files.has(name) || files.has(TEMPORARY.exec(name)?.[1] ?? ''))) {
      tighten(path, stat, log, repair);
    } else if (stat.isDirectory() && SMALL_FOLDERS.includes(name)) {
      tightenTree(path, stat, log, repair);
    } else if (stat.isDirectory() && name === basename(dataPaths(dataDir).spool) && isOpen(stat)) {
      repair.spoolWalked = true;
      tightenTree(path, stat, log, repair, { folderLast: true });
    }
  }
  return repair;
}

function isOpen(stat: Stats): boolean {
  return (stat.mode & 0o077) !== 0;
}

/** Removes group and other permissions; symbolic links and special files are left alone. */
function tighten(path: string, stat: Stats, log: PermissionLog, repair: PermissionRepair): void {
  if (!isOpen(stat)) return;
  const mode = stat.mode & 0o7777;
  const wanted = mode & ~0o077;
  try {
    chmodSync(path, wanted);
    repair.tightened += 1;
    log.info(`tightened permissions of ${path} from ${octal(mode)} to ${octal(wanted)}`);
  } catch (error) {
    repair.failed += 1;
    log.warn(`cannot tighten permissions of ${path} (${octal(mode)}, readable by others): ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}

function tightenTree(dir: string, stat: Stats, log: PermissionLog, repair: PermissionRepair, options: { folderLast?: boolean } = {}): void {
  if (!options.folderLast) tighten(dir, stat, log, repair);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    repair.failed += 1;
    log.warn(`cannot check the permissions of the files in ${dir}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    return;
  }
  for (const name of names) {
    const path = join(dir, name);
    const entry = lstatSync(path, { throwIfNoEntry: false });
    if (entry?.isDirectory()) tightenTree(path, entry, log, repair, options);
    else if (entry?.isFile()) tighten(path, entry, log, repair);
  }
  if (options.folderLast) tighten(dir, stat, log, repair);
}

function octal(mode: number): string {
  return mode.toString(8).padStart(4, '0');
}
