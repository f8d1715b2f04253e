// A reseller's branding folder for tests and the documentation's example (docs/white-label-example/):
// branding.json, an SVG logo, four tray icons (with @2x) and an app icon, drawn here as PNGs.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodePng } from '../../build/png.ts';

export const EXAMPLE_BRANDING = {
  productName: 'Rossi Fatture Connect',
  shortName: 'Rossi Fatture',
  logo: 'logo.svg',
  trayIcons: { ok: 'tray-ok.png', working: 'tray-working.png', attention: 'tray-attention.png', error: 'tray-error.png' },
  appIcon: 'icon.png',
  accentColor: '#0f766e',
  support: { email: 'assistenza@rossi-fatture.example', phone: '+39 02 1234 5678', url: 'https://rossi-fatture.example/assistenza' },
  appId: 'example.rossi.fatture',
};

/** A rounded square in the brand's colour with a white folded sheet and a tick: the example's logo. */
export const EXAMPLE_LOGO_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" width="64" height="64">
  <rect x="2" y="2" width="60" height="60" rx="14" fill="#0f766e"/>
  <path d="M20 14h17l9 9v27H20z" fill="#ffffff"/>
  <path d="M37 14v9h9" fill="#cce7e3"/>
  <path d="M25 37l6 6 10-12" fill="none" stroke="#0f766e" stroke-width="4" stroke-linecap="round" stroke-linejoin="round"/>
</svg>
`;

const TRAY_RING: Record<string, [number, number, number]> = {
  ok: [34, 160, 90],
  working: [40, 110, 200],
  attention: [230, 160, 20],
  error: [200, 40, 40],
};

/** A filled disc in the brand's colour with a ring in the state's colour. */
export function drawDisc(size: number, fill: [number, number, number], ring: [number, number, number] = fill): Buffer {
  const data = new Uint8Array(size * size * 4);
  const centre = (size - 1) / 2;
  const radius = size / 2 - 0.5;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const distance = Math.hypot(x - centre, y - centre);
      const at = (y * size + x) * 4;
      if (distance > radius) continue;
      const colour = distance > radius * 0.7 ? ring : fill;
      data.set([...colour, 255], at);
    }
  }
  return encodePng({ width: size, height: size, data });
}

/** Writes the example branding into `dir` (created); `overrides` replace fields of branding.json (undefined removes one). */
export async function writeBrandingFolder(dir: string, overrides: Record<string, unknown> = {}): Promise<string> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'logo.svg'), EXAMPLE_LOGO_SVG);
  const brand: [number, number, number] = [15, 118, 110];
  for (const [name, ring] of Object.entries(TRAY_RING)) {
    await writeFile(join(dir, `tray-${name}.png`), drawDisc(16, brand, ring));
    await writeFile(join(dir, `tray-${name}@2x.png`), drawDisc(32, brand, ring));
  }
  await writeFile(join(dir, 'icon.png'), drawDisc(256, brand, [255, 255, 255]));
  const file = join(dir, 'branding.json');
  const content: Record<string, unknown> = { ...EXAMPLE_BRANDING, ...overrides };
  for (const [key, value] of Object.entries(overrides)) if (value === undefined) delete content[key];
  await writeFile(file, `${JSON.stringify(content, null, 2)}\n`);
  return file;
}
