// Writes every icon the app ships, from build/icon-art.ts:
//   build/icon.png (1024, electron-builder makes the macOS and Windows icons from it),
//   build/icons/<n>x<n>.png (the Linux set), resources/icon.png (window and notifications),
//   resources/tray/<state>.png and <state>@2x.png (16 and 32 px).
// Run: node build/generate-icons.ts   (the results are committed; run again after changing the art)
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TRAY_ICON_NAMES, drawAppIcon, drawTrayIcon } from './icon-art.ts';
import { encodePng, type RgbaImage } from './png.ts';

export const LINUX_ICON_SIZES = [16, 32, 48, 64, 128, 256, 512] as const;
export const APP_ICON_SIZE = 1024;
export const WINDOW_ICON_SIZE = 256;
export const TRAY_ICON_SIZES = { normal: 16, double: 32 } as const;

/** Every generated file, relative to the repository root, with its image. */
export function iconFiles(): { path: string; draw: () => RgbaImage }[] {
  return [
    { path: 'build/icon.png', draw: () => drawAppIcon(APP_ICON_SIZE) },
    ...LINUX_ICON_SIZES.map((size) => ({ path: `build/icons/${size}x${size}.png`, draw: () => drawAppIcon(size) })),
    { path: 'resources/icon.png', draw: () => drawAppIcon(WINDOW_ICON_SIZE) },
    ...TRAY_ICON_NAMES.flatMap((name) => [
      { path: `resources/tray/${name}.png`, draw: () => drawTrayIcon(name, TRAY_ICON_SIZES.normal) },
      { path: `resources/tray/${name}@2x.png`, draw: () => drawTrayIcon(name, TRAY_ICON_SIZES.double) },
    ]),
  ];
}

function main(): void {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  for (const file of iconFiles()) {
    const target = join(root, file.path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, encodePng(file.draw()));
    console.log(`wrote ${file.path}`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
