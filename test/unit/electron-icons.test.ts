// The committed icons: valid PNGs of the right sizes, the tray states distinguishable by colour,
// and identical (pixel for pixel) to what build/generate-icons.ts draws today.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { TRAY_COLORS, TRAY_ICON_NAMES, drawAppIcon } from '../../build/icon-art.ts';
import { LINUX_ICON_SIZES, iconFiles } from '../../build/generate-icons.ts';
import { decodePng, encodePng } from '../../build/png.ts';
import { TRAY_ICONS } from '../../src/main/tray-state.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const read = (path: string) => decodePng(readFileSync(`${root}${path}`));

describe('PNG writer and reader', () => {
  it('round-trips pixels and detects corruption', () => {
    const image = drawAppIcon(24);
    const bytes = encodePng(image);
    expect(decodePng(bytes)).toEqual(image);
    const corrupt = Buffer.from(bytes);
    corrupt[40] = (corrupt[40] ?? 0) ^ 0xff;
    expect(() => decodePng(corrupt)).toThrow(/CRC/);
    expect(() => decodePng(Buffer.from('GIF89a'))).toThrow(/signature/);
  });
});

describe('committed icons', () => {
  it('has an app icon big enough for every installer and a Linux set named by size', () => {
    const app = read('build/icon.png');
    expect([app.width, app.height]).toEqual([1024, 1024]);
    for (const size of LINUX_ICON_SIZES) {
      const icon = read(`build/icons/${size}x${size}.png`);
      expect([icon.width, icon.height]).toEqual([size, size]);
    }
    expect(read('resources/icon.png').width).toBe(256);
  });

  it('has a 16 px and a 32 px (@2x) tray icon for every tray state', () => {
    expect([...TRAY_ICON_NAMES].sort()).toEqual([...TRAY_ICONS].sort());
    for (const name of TRAY_ICON_NAMES) {
      expect(read(`resources/tray/${name}.png`).width).toBe(16);
      expect(read(`resources/tray/${name}@2x.png`).width).toBe(32);
    }
  });

  it('tells the tray states apart by their dominant colour, with transparent corners', () => {
    for (const name of TRAY_ICON_NAMES) {
      const icon = read(`resources/tray/${name}@2x.png`);
      const pixel = (x: number, y: number) => [...icon.data.subarray((y * icon.width + x) * 4, (y * icon.width + x) * 4 + 4)];
      expect(pixel(0, 0)[3], `${name} corner`).toBe(0);
      // A point on the disc, away from the glyph: the state colour, opaque.
      expect(pixel(16, 2), `${name} rim`).toEqual([...TRAY_COLORS[name].slice(0, 3), 255]);
    }
  });

  it('matches what the generator draws now (run node build/generate-icons.ts after changing the art)', () => {
    for (const file of iconFiles().filter((f) => !f.path.startsWith('build/icon.png') && !f.path.includes('512'))) {
      expect(read(file.path).data, file.path).toEqual(file.draw().data);
    }
  });
});
