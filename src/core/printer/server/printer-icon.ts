// printer-icons: a small PNG drawn in code (a printer with a sheet), so print dialogs have something to show.
import { crc32, deflateSync } from 'node:zlib';

const SIZE = 128;
type Rgb = readonly [number, number, number];
const BACKGROUND: Rgb = [255, 255, 255];
const BODY: Rgb = [38, 70, 120];
const PAPER: Rgb = [250, 250, 250];
const OUTLINE: Rgb = [120, 130, 145];
const LINE: Rgb = [160, 170, 185];

function colourAt(x: number, y: number): Rgb | null {
  const inside = (left: number, top: number, right: number, bottom: number): boolean => x >= left && x < right && y >= top && y < bottom;
  if (inside(36, 12, 92, 64)) {
    if (!inside(38, 14, 90, 62)) return OUTLINE;
    return (y - 24) % 10 === 0 && inside(44, 24, 84, 56) ? LINE : PAPER;
  }
  if (inside(14, 52, 114, 100)) return BODY;
  if (inside(30, 92, 98, 116)) return inside(32, 92, 96, 114) ? PAPER : OUTLINE;
  return null;
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

function drawIcon(): Buffer {
  const rows = Buffer.alloc(SIZE * (1 + SIZE * 3));
  for (let y = 0; y < SIZE; y++) {
    const row = y * (1 + SIZE * 3);
    rows[row] = 0; // filter: none
    for (let x = 0; x < SIZE; x++) {
      const [r, g, b] = colourAt(x, y) ?? BACKGROUND;
      rows.set([r, g, b], row + 1 + x * 3);
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(SIZE, 0);
  header.writeUInt32BE(SIZE, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

let icon: Buffer | null = null;

export function printerIconPng(): Buffer {
  icon ??= drawIcon();
  return icon;
}
