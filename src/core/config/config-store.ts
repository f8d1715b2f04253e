// Loading and saving the settings file. Saving is atomic (temp file, fsync, rename, fsync of the
// folder) so a crash or a full disk never leaves a half-written config that stops the agent starting.
import { JsonTooDeepError, parseBoundedJson } from '../util/bounded-json.ts';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { defaultSettings, validateSettings } from './settings-schema.ts';
import type { Settings, SettingsError } from './settings-schema.ts';

export class ConfigError extends Error {
  readonly errors: SettingsError[];

  constructor(message: string, errors: SettingsError[]) {
    super(`${message}\n${errors.map((e) => `  ${e.path}: ${e.message}`).join('\n')}`);
    this.name = 'ConfigError';
    this.errors = errors;
  }
}

/** Reads and validates the settings; a missing file means "not configured yet": defaults, nothing written. */
export async function loadSettings(file: string): Promise<Settings> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if (isErrnoException(error) && error.code === 'ENOENT') return defaultSettings();
    throw new ConfigError(`Cannot read the settings file ${file}.`, [{ path: '(file)', message: describeIoError(error) }]);
  }

  const parsed = parseJson(text);
  if (!parsed.ok) {
    throw new ConfigError(`The settings file ${file} is not valid JSON.`, [{ path: '(file)', message: parsed.message }]);
  }
  const result = validateSettings(parsed.value);
  if (!result.ok) {
    throw new ConfigError(`The settings file ${file} has ${result.errors.length === 1 ? 'a problem' : `${result.errors.length} problems`}:`, result.errors);
  }
  return result.settings;
}

/** Validates, then replaces the file atomically with mode 0600. Invalid settings leave the old file untouched. */
export async function saveSettings(file: string, settings: Settings): Promise<void> {
  const result = validateSettings(settings);
  if (!result.ok) {
    throw new ConfigError(`These settings were not saved to ${file}:`, result.errors);
  }
  await writeFileAtomic(file, `${JSON.stringify(result.settings, null, 2)}\n`);
}

/**
 * Writes `content` to `file` so that readers see either the old or the new content, never a mix:
 * temp file in the same folder (same file system, so rename is atomic), fsync, rename, fsync the folder
 * (so the rename itself survives a power cut). The file is private to the user (0600) on POSIX.
 */
export async function writeFileAtomic(file: string, content: string | Uint8Array): Promise<void> {
  const dir = path.dirname(file);
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const temp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);

  const handle = await fs.open(temp, 'wx', 0o600);
  try {
    try {
      await handle.writeFile(content);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, file);
  } catch (error) {
    await fs.rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
  await syncDirectory(dir);
}

async function syncDirectory(dir: string): Promise<void> {
  // Windows cannot open a folder for fsync; NTFS journals the rename itself.
  if (process.platform === 'win32') return;
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

type JsonParse = { ok: true; value: unknown } | { ok: false; message: string };

export function parseJson(rawText: string): JsonParse {
  // Notepad and friends may save a byte order mark; it is not part of the JSON.
  const text = rawText.startsWith('\uFEFF') ? rawText.slice(1) : rawText;
  if (text.trim() === '') return { ok: false, message: 'The file is empty; it must contain a JSON object ({...}).' };
  try {
    return { ok: true, value: parseBoundedJson(text) };
  } catch (error) {
    if (error instanceof JsonTooDeepError) return { ok: false, message: `The file is not a settings file: ${error.message}.` };
    return { ok: false, message: describeJsonError(text, error instanceof Error ? error.message : String(error)) };
  }
}

function describeJsonError(text: string, message: string): string {
  const position = /at position (\d+)/.exec(message);
  const offset = position ? Number(position[1]) : /Unexpected end of JSON input/.test(message) ? text.length : null;
  // V8 echoes the start of the text in some messages; the line and column say more.
  const reason = message.replace(/ in JSON at position \d+.*$/, '').replace(/, ".*" is not valid JSON$/s, '');
  if (offset === null) return `${reason}.`;
  const { line, column } = lineAndColumn(text, offset);
  return `Line ${line}, column ${column}: ${reason}.`;
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const lastBreak = before.lastIndexOf('\n');
  return { line: before.split('\n').length, column: offset - lastBreak };
}

export function isErrnoException(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && 'code' in error;
}

function describeIoError(error: unknown): string {
  if (!isErrnoException(error)) return String(error);
  switch (error.code) {
    case 'EACCES':
    case 'EPERM':
      return 'Permission denied: the agent runs as a user who may not read this file.';
    case 'EISDIR':
      return 'This is a folder, not a file.';
    default:
      return `${error.code ?? 'Error'}: ${error.message}`;
  }
}
