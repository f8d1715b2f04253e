// Start at login on each OS (the Linux autostart entry on a real temp folder), the desktop
// preferences file, the drop folder choice and where the shell finds its files.
import { promises as fs } from 'node:fs';
import path, { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Settings as LoginItemSettings } from 'electron';
import { defaultSettings } from '../../src/core/config/settings-schema.ts';
import { DesktopPreferencesStore, defaultPreferences, loadDesktopPreferences } from '../../src/main/desktop-preferences.ts';
import { dropFolderFor } from '../../src/main/drop-folder.ts';
import {
  HIDDEN_FLAG,
  applyStartAtLogin,
  desktopExecArgument,
  linuxAutostartEntry,
  linuxAutostartPath,
  linuxLaunchPath,
  loginItemSettingsFor,
  type LoginItemHost,
} from '../../src/main/login-item.ts';
import { shellPaths } from '../../src/main/shell-paths.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';

let dir: string;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  ({ dir, cleanup } = await makeTempDir());
});
afterEach(async () => cleanup());

function host(platform: NodeJS.Platform, env: NodeJS.ProcessEnv = {}): LoginItemHost & { applied: LoginItemSettings[] } {
  const applied: LoginItemSettings[] = [];
  return { platform, applied, setLoginItemSettings: (s) => applied.push(s), execPath: '/opt/Recapito/recapito-desktop', env, homeDir: dir };
}

describe('start at login', () => {
  it('asks Windows to start the app hidden, and macOS to open it at login', () => {
    expect(loginItemSettingsFor({ enabled: true }, 'win32', 'C:\\Recapito\\Recapito.exe')).toEqual({
      openAtLogin: true,
      path: 'C:\\Recapito\\Recapito.exe',
      args: [HIDDEN_FLAG],
    });
    expect(loginItemSettingsFor({ enabled: false }, 'win32', 'C:\\R.exe')).toMatchObject({ openAtLogin: false });
    expect(loginItemSettingsFor({ enabled: true }, 'darwin', '/Applications/Recapito.app')).toEqual({ openAtLogin: true });
  });

  it('goes through setLoginItemSettings on Windows and macOS', async () => {
    const windows = host('win32');
    await applyStartAtLogin({ enabled: true }, windows);
    expect(windows.applied).toEqual([{ openAtLogin: true, path: '/opt/Recapito/recapito-desktop', args: ['--hidden'] }]);
    const mac = host('darwin');
    await applyStartAtLogin({ enabled: false }, mac);
    expect(mac.applied).toEqual([{ openAtLogin: false }]);
  });

  it('writes and removes an XDG autostart entry on Linux', async () => {
    const linux = host('linux');
    await applyStartAtLogin({ enabled: true }, linux);
    const file = join(dir, '.config', 'autostart', 'recapito.desktop');
    const entry = await fs.readFile(file, 'utf8');
    expect(entry).toContain('[Desktop Entry]');
    expect(entry).toContain('Exec="/opt/Recapito/recapito-desktop" --hidden');
    expect(linux.applied).toEqual([]);
    await applyStartAtLogin({ enabled: false }, linux);
    await expect(fs.access(file)).rejects.toThrow();
    // Disabling twice is fine.
    await applyStartAtLogin({ enabled: false }, linux);
  });

  it('honours XDG_CONFIG_HOME and starts the AppImage file, not its temporary mount', async () => {
    const config = join(dir, 'xdg');
    const linux = host('linux', { XDG_CONFIG_HOME: config, APPIMAGE: '/home/anna/Apps/Recapito-0.1.0.AppImage' });
    await applyStartAtLogin({ enabled: true }, linux);
    const entry = await fs.readFile(join(config, 'autostart', 'recapito.desktop'), 'utf8');
    expect(entry).toContain('Exec="/home/anna/Apps/Recapito-0.1.0.AppImage" --hidden');
    expect(linuxAutostartPath({ XDG_CONFIG_HOME: 'relative/ignored' }, '/home/anna')).toBe('/home/anna/.config/autostart/recapito.desktop');
    expect(linuxLaunchPath('/tmp/.mount_Recap/recapito-desktop', {})).toBe('/tmp/.mount_Recap/recapito-desktop');
  });

  it('quotes the program path by the Desktop Entry rules', () => {
    expect(desktopExecArgument('/opt/My Apps/recapito')).toBe('"/opt/My Apps/recapito"');
    expect(desktopExecArgument('/opt/a"b$c`d')).toBe('"/opt/a\\\\"b\\\\$c\\\\`d"');
    expect(desktopExecArgument('/opt/50%/r')).toBe('"/opt/50%%/r"');
    expect(desktopExecArgument('/opt/back\\slash')).toBe('"/opt/back\\\\\\\\slash"');
    expect(() => desktopExecArgument('/opt/x\nExec=evil')).toThrow(/cannot go in a desktop entry/);
    expect(linuxAutostartEntry('/x').split('\n')).toContain('Exec="/x" --hidden');
  });
});

describe('desktop preferences', () => {
  it('starts from defaults on the first run, then keeps what is saved', async () => {
    const file = join(dir, 'desktop.json');
    const first = await loadDesktopPreferences(file);
    expect(first).toEqual({ preferences: defaultPreferences(), firstRun: true, problem: null });
    expect(first.preferences).toEqual({ version: 1, startAtLogin: true, notifications: true, lastNotifiedSeq: null, keyExpiryNotified: null });

    const store = new DesktopPreferencesStore(file, first.preferences);
    await Promise.all([store.update({ startAtLogin: false }), store.update({ lastNotifiedSeq: 42 })]);
    const again = await loadDesktopPreferences(file);
    expect(again).toEqual({
      preferences: { version: 1, startAtLogin: false, notifications: true, lastNotifiedSeq: 42, keyExpiryNotified: null },
      firstRun: false,
      problem: null,
    });
  });

  it('falls back to defaults with a reason for a damaged file instead of failing to start', async () => {
    const file = join(dir, 'desktop.json');
    await fs.writeFile(file, '{"startAtLogin": "yes"}');
    const loaded = await loadDesktopPreferences(file);
    expect(loaded.preferences).toEqual(defaultPreferences());
    expect(loaded.firstRun).toBe(false);
    expect(loaded.problem).toMatch(/startAtLogin/);
    await fs.writeFile(file, 'nope');
    expect((await loadDesktopPreferences(file)).problem).toMatch(/not valid JSON/);
  });
});

describe('dropFolderFor', () => {
  const settings = {
    profiles: [
      { ...profile('empty'), folders: [] },
      { ...profile('main'), folders: [{ path: '/srv/main/out', postAction: 'move' as const, usePolling: false }] },
      { ...profile('second'), folders: [{ path: '/srv/second/out', postAction: 'move' as const, usePolling: false }] },
    ],
  };

  function profile(id: string) {
    return {
      id,
      name: id,
      hubCompanyId: null,
      returnFolder: null,
      sending: 'automatic' as const,
      dualControl: false,
      printer: { enabled: true, queueName: null },
    };
  }

  it("opens the first watched folder, or the named profile's", () => {
    expect(dropFolderFor(settings, null)).toEqual({ ok: true, path: '/srv/main/out' });
    expect(dropFolderFor(settings, 'second')).toEqual({ ok: true, path: '/srv/second/out' });
  });

  it('explains when there is nothing to open', () => {
    expect(dropFolderFor(settings, 'empty')).toEqual({ ok: false, reason: 'The profile "empty" watches no folder.' });
    expect(dropFolderFor(settings, 'ghost')).toEqual({ ok: false, reason: 'There is no profile "ghost".' });
    expect(dropFolderFor(defaultSettings(), null)).toMatchObject({ ok: false, reason: expect.stringMatching(/No watched folder/) });
  });
});

describe('shellPaths', () => {
  it('finds the CommonJS preload next to the compiled main, and the icons in the resources', () => {
    const packaged = shellPaths({ isPackaged: true, resourcesPath: '/opt/Recapito/resources', mainDir: '/opt/Recapito/resources/app.asar/dist/main' });
    expect(packaged.preload).toBe(path.join('/opt/Recapito/resources/app.asar/dist/preload/preload.cjs'));
    expect(packaged.trayIcon('attention')).toBe(path.join('/opt/Recapito/resources/tray/attention.png'));
    expect(packaged.appIcon).toBe(path.join('/opt/Recapito/resources/icon.png'));
    const dev = shellPaths({ isPackaged: false, resourcesPath: '/unused', mainDir: '/repo/dist/main' });
    expect(dev.trayIcon('ok')).toBe(path.join('/repo/resources/tray/ok.png'));
  });

  it('points at icons that exist in this repository', async () => {
    const repoMain = path.join(import.meta.dirname, '..', '..', 'dist', 'main');
    const paths = shellPaths({ isPackaged: false, resourcesPath: '/unused', mainDir: repoMain });
    for (const icon of ['ok', 'working', 'attention', 'error'] as const) await fs.access(paths.trayIcon(icon));
    await fs.access(paths.appIcon);
  });
});
