// The app icon and the four tray icons, drawn from simple shapes with supersampled anti-aliasing.
// Coordinates are fractions of the icon's side, so every size is drawn from the same description.
import type { RgbaImage } from './png.ts';

export type TrayIconName = 'ok' | 'working' | 'attention' | 'error';
export const TRAY_ICON_NAMES: readonly TrayIconName[] = ['ok', 'working', 'attention', 'error'];

type Shape = (x: number, y: number) => boolean;
type Color = readonly [number, number, number, number?];

/** Tray colours, dark enough for a white glyph to stand out on light and dark task bars. */
export const TRAY_COLORS: Readonly<Record<TrayIconName, Color>> = {
  ok: [26, 127, 55],
  working: [9, 105, 218],
  attention: [154, 103, 0],
  error: [207, 34, 46],
};

const WHITE: Color = [255, 255, 255];

class Canvas {
  readonly size: number;
  private readonly data: Uint8Array;

  constructor(size: number) {
    this.size = size;
    this.data = new Uint8Array(size * size * 4);
  }

  /** Paints `shape` in `color` over what is there, each pixel weighted by how much of it the shape covers. */
  fill(shape: Shape, color: Color | ((x: number, y: number) => Color), samples = 4): void {
    const { size } = this;
    for (let py = 0; py < size; py += 1) {
      for (let px = 0; px < size; px += 1) {
        let inside = 0;
        for (let sy = 0; sy < samples; sy += 1) {
          for (let sx = 0; sx < samples; sx += 1) {
            if (shape((px + (sx + 0.5) / samples) / size, (py + (sy + 0.5) / samples) / size)) inside += 1;
          }
        }
        if (inside === 0) continue;
        const c = typeof color === 'function' ? color((px + 0.5) / size, (py + 0.5) / size) : color;
        this.blend(px, py, c, (inside / (samples * samples)) * (c[3] ?? 1));
      }
    }
  }

  image(): RgbaImage {
    return { width: this.size, height: this.size, data: this.data };
  }

  /** Porter-Duff "over" with straight alpha. */
  private blend(px: number, py: number, color: Color, alpha: number): void {
    const i = (py * this.size + px) * 4;
    const dstA = (this.data[i + 3] ?? 0) / 255;
    const outA = alpha + dstA * (1 - alpha);
    const channel = (src: number, k: number): number => Math.round((src * alpha + (this.data[i + k] ?? 0) * dstA * (1 - alpha)) / outA);
    this.data[i] = channel(color[0], 0);
    this.data[i + 1] = channel(color[1], 1);
    this.data[i + 2] = channel(color[2], 2);
    this.data[i + 3] = Math.round(outA * 255);
  }
}

function mix(a: Color, b: Color, t: number): Color {
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
}

function circle(cx: number, cy: number, r: number): Shape {
  return (x, y) => (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
}

function roundedRect(x0: number, y0: number, x1: number, y1: number, r: number): Shape {
  return (x, y) => {
    if (x < x0 || x > x1 || y < y0 || y > y1) return false;
    const dx = Math.max(x0 + r - x, 0, x - (x1 - r));
    const dy = Math.max(y0 + r - y, 0, y - (y1 - r));
    return dx * dx + dy * dy <= r * r;
  };
}

/** A stroke with round ends from a to b, `width` wide. */
function stroke(ax: number, ay: number, bx: number, by: number, width: number): Shape {
  const lengthSquared = (bx - ax) ** 2 + (by - ay) ** 2;
  return (x, y) => {
    const t = lengthSquared === 0 ? 0 : Math.min(1, Math.max(0, ((x - ax) * (bx - ax) + (y - ay) * (by - ay)) / lengthSquared));
    return (x - (ax + t * (bx - ax))) ** 2 + (y - (ay + t * (by - ay))) ** 2 <= (width / 2) ** 2;
  };
}

function union(...shapes: Shape[]): Shape {
  return (x, y) => shapes.some((shape) => shape(x, y));
}

/** A blue rounded square with a white envelope and a green "delivered" badge. */
export function drawAppIcon(size: number): RgbaImage {
  const canvas = new Canvas(size);
  const samples = size >= 256 ? 3 : 4;
  const top: Color = [47, 129, 247];
  const bottom: Color = [11, 79, 179];
  canvas.fill(roundedRect(0.04, 0.04, 0.96, 0.96, 0.2), (_x, y) => mix(top, bottom, y), samples);
  canvas.fill(roundedRect(0.18, 0.28, 0.82, 0.72, 0.05), WHITE, samples);
  canvas.fill(union(stroke(0.21, 0.32, 0.5, 0.53, 0.04), stroke(0.5, 0.53, 0.79, 0.32, 0.04)), [31, 111, 235], samples);
  canvas.fill(circle(0.74, 0.72, 0.165), WHITE, samples);
  canvas.fill(circle(0.74, 0.72, 0.13), TRAY_COLORS.ok, samples);
  canvas.fill(union(stroke(0.68, 0.725, 0.72, 0.765, 0.04), stroke(0.72, 0.765, 0.8, 0.675, 0.04)), WHITE, samples);
  return canvas.image();
}

/** A coloured disc with a white glyph: check (ok), arrow up (working), "!" (attention), "×" (error). */
export function drawTrayIcon(name: TrayIconName, size: number): RgbaImage {
  const canvas = new Canvas(size);
  canvas.fill(circle(0.5, 0.5, 0.47), TRAY_COLORS[name], 6);
  canvas.fill(trayGlyph(name), WHITE, 6);
  return canvas.image();
}

function trayGlyph(name: TrayIconName): Shape {
  switch (name) {
    case 'ok':
      return union(stroke(0.27, 0.52, 0.43, 0.68, 0.13), stroke(0.43, 0.68, 0.73, 0.35, 0.13));
    case 'working':
      return union(stroke(0.5, 0.75, 0.5, 0.3, 0.13), stroke(0.5, 0.27, 0.3, 0.47, 0.13), stroke(0.5, 0.27, 0.7, 0.47, 0.13));
    case 'attention':
      return union(stroke(0.5, 0.24, 0.5, 0.56, 0.15), circle(0.5, 0.75, 0.085));
    case 'error':
      return union(stroke(0.32, 0.32, 0.68, 0.68, 0.14), stroke(0.68, 0.32, 0.32, 0.68, 0.14));
  }
}
