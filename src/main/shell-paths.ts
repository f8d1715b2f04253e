// Where the shell's own files are, packaged or not. Packaged, the compiled code is inside app.asar
// and the icons are extra resources next to it (electron-builder.yml); in a development build
// they are in the repository's resources/ folder.
import path from 'node:path';
import type { TrayIcon } from './tray-state.ts';

export interface ShellLayout {
  isPackaged: boolean;
  /** process.resourcesPath */
  resourcesPath: string;
  /** The folder of the compiled main.js (dist/main). */
  mainDir: string;
}

export interface ShellPaths {
  preload: string;
  appIcon: string;
  trayIcon: (icon: TrayIcon) => string;
}

/** A reseller's icons (docs/white-label.md), already checked: they replace the app's. */
export interface BrandIcons {
  appIcon: string | null;
  trayIcons: Record<TrayIcon, string> | null;
}

export function shellPaths(layout: ShellLayout, brand: BrandIcons = { appIcon: null, trayIcons: null }): ShellPaths {
  const resources = layout.isPackaged ? layout.resourcesPath : path.join(layout.mainDir, '..', '..', 'resources');
  const trayIcons = brand.trayIcons;
  return {
    // CommonJS: a sandboxed preload cannot be an ES module (build/compile-preload.ts).
    preload: path.join(layout.mainDir, '..', 'preload', 'preload.cjs'),
    appIcon: brand.appIcon ?? path.join(resources, 'icon.png'),
    // nativeImage picks `<name>@2x.png` by itself on high-density screens.
    trayIcon: (icon) => trayIcons?.[icon] ?? path.join(resources, 'tray', `${icon}.png`),
  };
}
