import { describe, expect, it } from 'vitest';
import { defaultSettings, formatPath, validateSettings } from '../../src/core/config/settings-schema.ts';
import type { SettingsError } from '../../src/core/config/settings-schema.ts';

const MiB = 1024 * 1024;

function errorsOf(input: unknown): SettingsError[] {
  const result = validateSettings(input);
  if (result.ok) throw new Error(`expected validation to fail for ${JSON.stringify(input)}`);
  return result.errors;
}

function messageAt(input: unknown, path: string): string {
  const error = errorsOf(input).find((e) => e.path === path);
  if (!error) throw new Error(`no error at ${path}; got ${JSON.stringify(errorsOf(input))}`);
  return error.message;
}

function profile(id: string, folders: string[], extra: Record<string, unknown> = {}) {
  return { id, name: `Profile ${id}`, folders: folders.map((path) => ({ path })), ...extra };
}

describe('defaultSettings', () => {
  it('has the documented defaults', () => {
    const s = defaultSettings();
    expect(s.version).toBe(1);
    expect(s.hub).toEqual({
      transport: 'https',
      sftp: null,
      url: null,
      caFile: null,
      companyId: null,
      accountPollSeconds: 300,
      eventsLongPollSeconds: 25,
      requestTimeoutSeconds: 30,
      outageProbeBaseMs: 1000,
      outageProbeCapMs: 180_000,
    });
    expect(s.api).toEqual({ port: 7420, host: '127.0.0.1' });
    expect(s.profiles).toEqual([]);
    expect(s.intake).toEqual({
      stableWindowMs: 500,
      concurrency: 64,
      memoryBudgetBytes: 64 * 1024 * 1024,
      rescanIntervalMs: 30_000,
      maxFileBytes: 20 * MiB,
      zip: { maxEntries: 1000, maxTotalBytes: 200 * MiB, maxEntryBytes: 20 * MiB, maxRatio: 200, maxDepth: 2 },
      preflight: 'block',
    });
    expect(s.outbox).toEqual({ concurrency: 16, memoryBudgetBytes: 64 * 1024 * 1024, leaseSeconds: 120, backoffBaseMs: 1000, backoffCapMs: 300_000 });
    expect(s.retention).toEqual({ historyDays: 3650, spoolDays: 400, purgeIntervalHours: 24 });
    expect(s.log).toEqual({ level: 'info', maxFileBytes: 5 * MiB, maxFiles: 5 });
  });

  it('returns a fresh object each time and validates itself', () => {
    const a = defaultSettings();
    a.profiles.push(profile('x', ['/x']) as never);
    expect(defaultSettings().profiles).toEqual([]);
    expect(validateSettings(defaultSettings())).toEqual({ ok: true, settings: defaultSettings() });
  });
});

describe('validateSettings', () => {
  it('fills defaults into a partial file, including folder defaults', () => {
    const result = validateSettings({ hub: { url: 'https://hub.example.com' }, profiles: [profile('main-office', ['/srv/out'])] });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.settings.hub.url).toBe('https://hub.example.com');
    expect(result.settings.hub.accountPollSeconds).toBe(300);
    expect(result.settings.profiles[0]).toEqual({
      id: 'main-office',
      name: 'Profile main-office',
      hubCompanyId: null,
      folders: [{ path: '/srv/out', postAction: 'move', usePolling: false }],
      returnFolder: null,
      sending: 'automatic',
      dualControl: false,
      printer: { enabled: true, queueName: null },
    });
  });

  it('names the exact path of a nested problem', () => {
    const input = { profiles: [profile('a', ['/a', 'relative/b'])] };
    expect(messageAt(input, 'profiles[0].folders[1].path')).toMatch(/absolute path/);
  });

  it('refuses unknown keys at any depth and says which', () => {
    const errors = errorsOf({ hub: { url: 'https://h.example', pollSeconds: 5 }, profiles: [{ ...profile('a', []), requireApprovel: true }], extra: 1 });
    expect(errors.map((e) => e.path).sort()).toEqual(['extra', 'hub.pollSeconds', 'profiles[0].requireApprovel']);
    expect(errors[0]?.message).toMatch(/not a known setting/);
  });

  it('refuses anything that looks like a secret and points to the secret store', () => {
    for (const key of ['apiKey', 'api_key', 'password', 'token', 'clientSecret', 'passphrase', 'privateKey']) {
      const errors = errorsOf({ hub: { url: 'https://h.example', [key]: 'value' } });
      expect(errors).toHaveLength(1);
      expect(errors[0]?.path).toBe(`hub.${key}`);
      expect(errors[0]?.message).toMatch(/secret store/);
    }
    expect(messageAt({ profiles: [{ ...profile('a', []), sftpPassword: 'x' }] }, 'profiles[0].sftpPassword')).toMatch(/secret store/);
  });

  it('requires an https hub URL without credentials in it', () => {
    expect(messageAt({ hub: { url: 'http://hub.example.com' } }, 'hub.url')).toMatch(/https/);
    expect(messageAt({ hub: { url: 'not a url' } }, 'hub.url')).toMatch(/https:\/\//);
    expect(messageAt({ hub: { url: 'https://user:pw@hub.example.com' } }, 'hub.url')).toMatch(/secret store/);
  });

  it('allows only loopback hosts for the local API, and valid ports', () => {
    for (const host of ['127.0.0.1', '::1', 'localhost']) expect(validateSettings({ api: { host } }).ok).toBe(true);
    expect(messageAt({ api: { host: '0.0.0.0' } }, 'api.host')).toMatch(/loopback/);
    expect(messageAt({ api: { port: 70000 } }, 'api.port')).toBe('Must be at most 65535.');
    expect(messageAt({ api: { port: 80.5 } }, 'api.port')).toMatch(/whole number/);
    expect(messageAt({ api: { port: '7420' } }, 'api.port')).toMatch(/Must be a number, but found the text "7420"/);
    expect(validateSettings({ api: { port: 0 } }).ok).toBe(true);
  });

  it('checks profile ids: slug shape and uniqueness', () => {
    expect(messageAt({ profiles: [profile('Main Office', [])] }, 'profiles[0].id')).toMatch(/lowercase/);
    expect(messageAt({ profiles: [profile('x'.repeat(41), [])] }, 'profiles[0].id')).toMatch(/1 to 40/);
    expect(messageAt({ profiles: [profile('a', []), profile('b', []), profile('a', [])] }, 'profiles[2].id')).toMatch(/already used by profiles\[0\]/);
  });

  it('refuses the same folder in two profiles, however it is spelled', () => {
    const message = messageAt({ profiles: [profile('a', ['/srv/out']), profile('b', ['/srv/other', '/srv/x/../out/'])] }, 'profiles[1].folders[1].path');
    expect(message).toMatch(/already watched at profiles\[0\]\.folders\[0\]\.path/);
  });

  it('refuses a return folder that is also watched', () => {
    const input = { profiles: [profile('a', ['/srv/out'], { returnFolder: '/srv/back' }), profile('b', ['/srv/back'])] };
    expect(messageAt(input, 'profiles[0].returnFolder')).toMatch(/capture its own status files/);
  });

  it('enforces ranges and enums with readable sentences', () => {
    expect(messageAt({ intake: { stableWindowMs: 10 } }, 'intake.stableWindowMs')).toBe('Must be at least 50.');
    expect(messageAt({ outbox: { concurrency: 65 } }, 'outbox.concurrency')).toBe('Must be at most 64.');
    expect(messageAt({ outbox: { memoryBudgetBytes: 1024 } }, 'outbox.memoryBudgetBytes')).toBe('Must be at least 1048576.');
    expect(messageAt({ log: { level: 'trace' } }, 'log.level')).toBe('Must be one of "error", "warn", "info", "debug", but found the text "trace".');
    expect(messageAt({ profiles: [{ ...profile('a', []), folders: [{ path: '/a', postAction: 'copy' }] }] }, 'profiles[0].folders[0].postAction')).toMatch(
      /"move", "delete", "leave"/,
    );
    expect(messageAt({ version: 2 }, 'version')).toBe('Must be 1, but found the number 2.');
    expect(messageAt({ profiles: [{ id: 'a' }] }, 'profiles[0].name')).toBe('This setting is required.');
    expect(messageAt({ intake: { zip: { maxEntryBytes: 300 * MiB } } }, 'intake.zip.maxEntryBytes')).toMatch(/maxTotalBytes/);
    expect(messageAt({ outbox: { backoffBaseMs: 5000, backoffCapMs: 1000 } }, 'outbox.backoffCapMs')).toMatch(/backoffBaseMs/);
    expect(messageAt({ hub: { outageProbeBaseMs: 60_000, outageProbeCapMs: 10_000 } }, 'hub.outageProbeCapMs')).toMatch(/outageProbeBaseMs/);
    expect(messageAt({ hub: { outageProbeBaseMs: 10 } }, 'hub.outageProbeBaseMs')).toMatch(/250/);
  });

  it('takes intake.preflight "block" (the default) or "warn", nothing else', () => {
    const warn = validateSettings({ intake: { preflight: 'warn' } });
    expect(warn.ok && warn.settings.intake.preflight).toBe('warn');
    const block = validateSettings({ intake: { preflight: 'block' } });
    expect(block.ok && block.settings.intake.preflight).toBe('block');
    expect(messageAt({ intake: { preflight: 'off' } }, 'intake.preflight')).toBe('Must be one of "block", "warn", but found the text "off".');
    expect(messageAt({ intake: { preflight: false } }, 'intake.preflight')).toMatch(/"block", "warn"/);
  });

  it('reports every problem at once, not just the first', () => {
    const errors = errorsOf({ api: { port: -1, host: '10.0.0.1' }, log: { maxFiles: 1000 } });
    expect(errors.map((e) => e.path).sort()).toEqual(['api.host', 'api.port', 'log.maxFiles']);
  });

  it('refuses a file that is not an object', () => {
    expect(errorsOf(null)).toEqual([{ path: '(root)', message: 'Must be an object ({...}), but found null.' }]);
    expect(errorsOf([])[0]?.message).toMatch(/found a list/);
  });
});

describe('formatPath', () => {
  it('writes array indexes in brackets and odd keys quoted', () => {
    expect(formatPath(['profiles', 0, 'folders', 1, 'path'])).toBe('profiles[0].folders[1].path');
    expect(formatPath([])).toBe('(root)');
    expect(formatPath(['hub', 'bad key'])).toBe('hub["bad key"]');
  });
});
