// Loading and saving the settings file. Saving is atomic (temp file, fsync, rename, fsync of the
// folder) so a crash or a full disk never leaves a half-written config that stops the agent starting.
import { JsonTooDeepError, parseBoundedJson } from '../util/bounded-json.ts';
import { writeDurably } from '../util/fsync.ts';
import { promises as fs } from 'node:fs';
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

/** Replaces a private file (0600) whole or not at all (util/fsync.ts). */
export function writeFileAtomic(file: string, content: string | Uint8Array): Promise<void> {
  return writeDurably(file, content);
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
