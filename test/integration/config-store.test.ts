import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadSettings, saveSettings } from '../../src/core/config/config-store.ts';
import { dataPaths, defaultDataDir } from '../../src/core/config/data-dir.ts';
import { defaultSettings } from '../../src/core/config/settings-schema.ts';
import type { Settings } from '../../src/core/config/settings-schema.ts';

const posix = process.platform !== 'win32';
let dir: string;
let file: string;

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'recapito-config-'));
  file = path.join(dir, 'config.json');
});

afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

function configured(): Settings {
  const settings = defaultSettings();
  settings.hub.url = 'https://hub.example.com';
  settings.api.port = 7555;
  settings.profiles.push({
    id: 'main',
    name: 'Main office',
    hubCompanyId: 'c-1',
    folders: [{ path: path.join(dir, 'out'), postAction: 'leave', usePolling: true }],
    returnFolder: path.join(dir, 'back'),
    sending: 'manual',
    dualControl: true,
    printer: { enabled: true, queueName: 'Recapito – Main office' },
  });
  return settings;
}

async function loadError(): Promise<ConfigError> {
  const error: unknown = await loadSettings(file).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

describe('loadSettings', () => {
  it('returns defaults for a missing file and does not create it', async () => {
    expect(await loadSettings(file)).toEqual(defaultSettings());
    await expect(fs.access(file)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('gives the line and column of a JSON syntax error', async () => {
    await fs.writeFile(file, '{\n  "api": { "port": 7420 }\n  "log": {}\n}\n');
    const error = await loadError();
    expect(error.errors).toHaveLength(1);
    expect(error.errors[0]?.message).toMatch(/^Line 3, column 3: /);
    expect(error.message).toContain(file);
  });

  it('explains an empty file and a truncated one', async () => {
    await fs.writeFile(file, '');
    expect((await loadError()).errors[0]?.message).toMatch(/empty/);
    await fs.writeFile(file, '{"api": {');
    expect((await loadError()).errors[0]?.message).toMatch(/^Line 1, column 10: \S/);
    await fs.writeFile(file, '{\n"api":');
    expect((await loadError()).errors[0]?.message).toBe('Line 2, column 7: Unexpected end of JSON input.');
  });

  it('lists every invalid field as "path: message"', async () => {
    await fs.writeFile(
      file,
      JSON.stringify({ api: { host: '0.0.0.0' }, hub: { apiKey: 'k-123' }, profiles: [{ id: 'a', name: 'A', folders: [{ path: 'rel' }] }] }),
    );
    const error = await loadError();
    expect(error.errors.map((e) => e.path).sort()).toEqual(['api.host', 'hub.apiKey', 'profiles[0].folders[0].path']);
    expect(error.message).toMatch(/has 3 problems/);
    expect(error.message).toMatch(/\n {2}api\.host: Must be a loopback address/);
    expect(error.message).toMatch(/\n {2}hub\.apiKey: .*secret store/);
  });

  it('accepts a file saved with a byte order mark', async () => {
    await fs.writeFile(file, `\uFEFF${JSON.stringify({ api: { port: 9000 } })}`);
    expect((await loadSettings(file)).api.port).toBe(9000);
  });
});

describe('saveSettings', () => {
  it('round-trips settings through the file', async () => {
    const settings = configured();
    await saveSettings(file, settings);
    expect(await loadSettings(file)).toEqual(settings);
    expect(JSON.parse(await fs.readFile(file, 'utf8'))).toEqual(settings);
  });

  it.skipIf(!posix)('writes the file private to the user (0600) and creates the folder', async () => {
    const nested = path.join(dir, 'new', 'config.json');
    await saveSettings(nested, configured());
    expect((await fs.stat(nested)).mode & 0o777).toBe(0o600);
    // Even if the old file was world-readable, the replacement is not.
    await fs.writeFile(file, '{}', { mode: 0o644 });
    await fs.chmod(file, 0o644);
    await saveSettings(file, configured());
    expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
  });

  it('refuses invalid settings and leaves the existing file untouched', async () => {
    await saveSettings(file, configured());
    const before = await fs.readFile(file, 'utf8');
    const bad = configured();
    bad.api.port = 99_999;
    await expect(saveSettings(file, bad)).rejects.toMatchObject({ name: 'ConfigError', errors: [{ path: 'api.port', message: 'Must be at most 65535.' }] });
    expect(await fs.readFile(file, 'utf8')).toBe(before);
  });

  it('leaves no temporary files behind, even after many concurrent saves', async () => {
    const saves = Array.from({ length: 20 }, (_, i) => {
      const settings = configured();
      settings.api.port = 8000 + i;
      return saveSettings(file, settings);
    });
    await Promise.all(saves);
    expect(await fs.readdir(dir)).toEqual(['config.json']);
    const port = (await loadSettings(file)).api.port;
    expect(port).toBeGreaterThanOrEqual(8000);
    expect(port).toBeLessThan(8020);
  });
});

describe('data folder', () => {
  it('uses RECAPITO_DATA_DIR when set, on every platform', () => {
    expect(defaultDataDir({ RECAPITO_DATA_DIR: '/srv/recapito', HOME: '/home/u' }, 'linux')).toBe('/srv/recapito');
    expect(defaultDataDir({ RECAPITO_DATA_DIR: 'D:\\Recapito', APPDATA: 'C:\\Users\\u\\AppData\\Roaming' }, 'win32')).toBe('D:\\Recapito');
  });

  it('follows each OS convention otherwise', () => {
    expect(defaultDataDir({ APPDATA: 'C:\\Users\\u\\AppData\\Roaming' }, 'win32')).toBe('C:\\Users\\u\\AppData\\Roaming\\Recapito');
    expect(defaultDataDir({ HOME: '/Users/u' }, 'darwin')).toBe('/Users/u/Library/Application Support/Recapito');
    expect(defaultDataDir({ HOME: '/home/u', XDG_DATA_HOME: '/data/u' }, 'linux')).toBe('/data/u/recapito');
    expect(defaultDataDir({ HOME: '/home/u' }, 'linux')).toBe('/home/u/.local/share/recapito');
    // The XDG spec says a relative XDG_DATA_HOME must be ignored.
    expect(defaultDataDir({ HOME: '/home/u', XDG_DATA_HOME: 'relative' }, 'linux')).toBe('/home/u/.local/share/recapito');
  });

  it('names every file the agent keeps inside it', () => {
    const paths = dataPaths(dir);
    expect(paths).toEqual({
      config: path.join(dir, 'config.json'),
      secrets: path.join(dir, 'secrets.json'),
      db: path.join(dir, 'recapito.sqlite'),
      spool: path.join(dir, 'spool'),
      logs: path.join(dir, 'logs'),
      apiToken: path.join(dir, 'api-token'),
      apiUrl: path.join(dir, 'api-url'),
    });
  });
});
