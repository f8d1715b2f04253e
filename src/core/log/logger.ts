// The agent's log: one file, `recapito.log`, rotated by size into recapito.1.log … recapito.N.log,
// written through electron-log's Node entry (the same library the Electron shell uses). Every line
// is redacted before it reaches any transport: secrets never touch the disk.
import fs from 'node:fs';
import path from 'node:path';
import electronLog from 'electron-log/node';
import { redactSecrets, redactValue } from './redact.ts';

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

export interface Logger {
  debug(message: string, meta?: Record<string, unknown>): void;
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  error(message: string, meta?: Record<string, unknown>): void;
  /** A logger whose lines carry `(parent/scope)`, e.g. `logger.child('outbox')`. */
  child(scope: string): Logger;
  /** Writes are synchronous, so this has nothing to wait for; it exists for callers that shut down. */
  flush?(): void;
}

export interface LoggerOptions {
  dir: string;
  level: LogLevel;
  maxFileBytes: number;
  /** How many rotated files (recapito.1.log …) to keep; 0 keeps none. */
  maxFiles: number;
  console?: boolean;
  /** Current secret values; called for every line so a newly set key is redacted at once. */
  secrets?: () => string[];
}

export const LOG_FILE_NAME = 'recapito.log';

const LEVEL_RANK: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

let instanceCounter = 0;

export function createLogger(options: LoggerOptions): Logger {
  const file = path.join(options.dir, LOG_FILE_NAME);
  fs.mkdirSync(options.dir, { recursive: true, mode: 0o700 });

  // An independent instance per call: loggers in different tests or data dirs never share settings.
  instanceCounter += 1;
  const instance = electronLog.create({ logId: `recapito-${process.pid}-${instanceCounter}` });
  // Otherwise electron-log looks for a package.json to name a default folder we never use.
  instance.transports.file.setAppName('recapito');

  const fileTransport = instance.transports.file;
  fileTransport.level = options.level;
  fileTransport.resolvePathFn = () => file;
  fileTransport.maxSize = options.maxFileBytes;
  fileTransport.sync = true;
  fileTransport.writeOptions = { flag: 'a', mode: 0o600, encoding: 'utf8' };
  fileTransport.format = ({ data, level }) => [`[${localTimestamp(new Date())}] [${level}] ${data.join(' ')}`];
  fileTransport.archiveLogFn = (current) => rotate(current.path, options.maxFiles, () => current.clear());

  const consoleTransport = instance.transports.console;
  consoleTransport.level = options.console === true ? options.level : false;
  consoleTransport.format = ({ data, level }) => [`${level.toUpperCase().padEnd(5)} ${data.join(' ')}`];
  for (const [name, transport] of Object.entries(instance.transports)) {
    if (name !== 'file' && name !== 'console' && transport) transport.level = false;
  }

  function secretValues(): string[] {
    try {
      return options.secrets?.() ?? [];
    } catch {
      return []; // key-based and Authorization redaction still apply
    }
  }

  // Checked before formatting: debug lines on hot paths cost nothing when nobody writes them.
  function enabled(level: LogLevel): boolean {
    return [fileTransport.level, consoleTransport.level].some((threshold) => threshold !== false && LEVEL_RANK[level] <= LEVEL_RANK[threshold as LogLevel]);
  }

  function write(level: LogLevel, scope: string | null, message: string, meta?: Record<string, unknown>): void {
    if (!enabled(level)) return;
    const secrets = secretValues();
    const text = formatLine(scope, message, meta, secrets);
    instance[level](text);
  }

  function make(scope: string | null): Logger {
    return {
      debug: (message, meta) => write('debug', scope, message, meta),
      info: (message, meta) => write('info', scope, message, meta),
      warn: (message, meta) => write('warn', scope, message, meta),
      error: (message, meta) => write('error', scope, message, meta),
      child: (name) => make(scope === null ? name : `${scope}/${name}`),
      flush: () => undefined,
    };
  }

  return make(null);
}

/** `(scope) message {"meta":…}` on one line: newlines are escaped so nobody can forge a log line. */
function formatLine(scope: string | null, message: string, meta: Record<string, unknown> | undefined, secrets: string[]): string {
  let line = scope === null ? '' : `(${scope}) `;
  line += String(message).replace(/\r/g, '\\r').replace(/\n/g, '\\n');
  if (meta !== undefined && Object.keys(meta).length > 0) {
    line += ` ${JSON.stringify(redactValue(meta, secrets))}`;
  }
  // A second pass over the whole line catches secrets however they got in.
  return redactSecrets(line, secrets);
}

/**
 * recapito.log -> recapito.1.log, recapito.1.log -> recapito.2.log, …, dropping the oldest, so at
 * most `maxFiles` archives exist. electron-log calls this synchronously before the next write.
 */
function rotate(current: string, maxFiles: number, clearInPlace: () => void): void {
  const { dir, name, ext } = path.parse(current);
  const archive = (n: number) => path.join(dir, `${name}.${n}${ext}`);
  try {
    removeArchivesBeyond(dir, name, ext, maxFiles);
    if (maxFiles <= 0) {
      clearInPlace();
      return;
    }
    for (let n = maxFiles - 1; n >= 1; n -= 1) {
      if (fs.existsSync(archive(n))) fs.renameSync(archive(n), archive(n + 1));
    }
    fs.renameSync(current, archive(1));
  } catch {
    // E.g. a viewer holds the file open on Windows: start the file over rather than grow forever.
    clearInPlace();
  }
}

/** Also tidies archives left from a larger maxFiles setting. */
function removeArchivesBeyond(dir: string, name: string, ext: string, maxFiles: number): void {
  const pattern = new RegExp(`^${escapeRegExp(name)}\\.(\\d+)${escapeRegExp(ext)}$`);
  for (const entry of fs.readdirSync(dir)) {
    const match = pattern.exec(entry);
    if (match && Number(match[1]) >= maxFiles) fs.rmSync(path.join(dir, entry), { force: true });
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function localTimestamp(date: Date): string {
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  const offset = -date.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  const abs = Math.abs(offset);
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)} ` +
    `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`
  );
}
