// Start at login. Windows and macOS through app.setLoginItemSettings; Linux, where Electron has no
// such API, through an XDG autostart entry (~/.config/autostart/recapito.desktop). A start at login
// passes --hidden so the agent goes to the tray without opening its window.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Settings as LoginItemSettings } from 'electron';

export const HIDDEN_FLAG = '--hidden';
const AUTOSTART_FILE_NAME = 'recapito.desktop';

export interface StartAtLoginSettings {
  enabled: boolean;
}

export interface LoginItemHost {
  platform: NodeJS.Platform;
  /** app.setLoginItemSettings (Windows, macOS). */
  setLoginItemSettings(settings: LoginItemSettings): void;
  /** The program to start: process.execPath. */
  execPath: string;
  env: NodeJS.ProcessEnv;
  homeDir: string;
}

/** The settings for app.setLoginItemSettings on Windows and macOS. */
export function loginItemSettingsFor(settings: StartAtLoginSettings, platform: NodeJS.Platform, execPath: string): LoginItemSettings {
  if (platform === 'win32') return { openAtLogin: settings.enabled, path: execPath, args: [HIDDEN_FLAG] };
  // macOS passes no arguments to login items; the shell asks wasOpenedAtLogin instead.
  return { openAtLogin: settings.enabled };
}

/** Where the XDG autostart entry goes: $XDG_CONFIG_HOME/autostart, or ~/.config/autostart. */
export function linuxAutostartPath(env: NodeJS.ProcessEnv, homeDir: string): string {
  const xdg = env.XDG_CONFIG_HOME?.trim();
  const configHome = xdg && path.posix.isAbsolute(xdg) ? xdg : path.posix.join(homeDir, '.config');
  return path.posix.join(configHome, 'autostart', AUTOSTART_FILE_NAME);
}

/**
 * The program a Linux login should start. An AppImage runs from a temporary mount that changes at
 * every start, so the entry must name the .AppImage file itself ($APPIMAGE).
 */
export function linuxLaunchPath(execPath: string, env: NodeJS.ProcessEnv): string {
  const appImage = env.APPIMAGE?.trim();
  return appImage && path.posix.isAbsolute(appImage) ? appImage : execPath;
}

/** The XDG autostart desktop entry that starts `program` hidden. */
export function linuxAutostartEntry(program: string): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=Recapito',
    'Comment=Recapito: sends electronic invoices to the hub',
    `Exec=${desktopExecArgument(program)} ${HIDDEN_FLAG}`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

/**
 * Quotes one argument of a desktop entry's Exec key (Desktop Entry Specification, "The Exec key"):
 * inside double quotes, `"`, `` ` ``, `$` and `\` are escaped with a backslash; `%` is doubled as
 * field codes use it; then the whole value is escaped once more as a string value (`\` → `\\`).
 */
export function desktopExecArgument(argument: string): string {
  if (/[\n\r\0]/.test(argument)) throw new Error(`The program path ${JSON.stringify(argument)} cannot go in a desktop entry.`);
  const quoted = `"${argument.replace(/(["`$\\])/g, '\\$1').replace(/%/g, '%%')}"`;
  return quoted.replace(/\\/g, '\\\\');
}

/** Applies the setting for this platform. */
export async function applyStartAtLogin(settings: StartAtLoginSettings, host: LoginItemHost): Promise<void> {
  if (host.platform === 'win32' || host.platform === 'darwin') {
    host.setLoginItemSettings(loginItemSettingsFor(settings, host.platform, host.execPath));
    return;
  }
  const file = linuxAutostartPath(host.env, host.homeDir);
  if (!settings.enabled) {
    await fs.rm(file, { force: true });
    return;
  }
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, linuxAutostartEntry(linuxLaunchPath(host.execPath, host.env)), { mode: 0o644 });
}
