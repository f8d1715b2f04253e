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

export function shellPaths(layout: ShellLayout): ShellPaths {
  const resources = layout.isPackaged ? layout.resourcesPath : path.join(layout.mainDir, '..', '..', 'resources');
  return {
    // CommonJS: a sandboxed preload cannot be an ES module (build/compile-preload.ts).
    preload: path.join(layout.mainDir, '..', 'preload', 'preload.cjs'),
    appIcon: path.join(resources, 'icon.png'),
    // nativeImage picks `<name>@2x.png` by itself on high-density screens.
    trayIcon: (icon) => path.join(resources, 'tray', `${icon}.png`),
  };
}
