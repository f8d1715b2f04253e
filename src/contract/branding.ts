// White label (docs/white-label.md): what a reseller's branding file changes, as the local API serves
// it (`GET /api/v1/branding`), and the plain functions every side shares: the WCAG contrast of the
// accent colour and the palette derived from it, and the replacement of the product's name in texts.

/** The product's own name, used wherever no branding (or an invalid one) is in force. */
export const DEFAULT_PRODUCT_NAME = 'Recapito';

/** What the agent serves to the UI and shows in /status; never anything secret. */
export interface BrandingView {
  /** True when no branding file is in force (none found, or refused): everything says Recapito. */
  isDefault: boolean;
  productName: string;
  /** For narrow places: the printer queues' prefix. */
  shortName: string;
  /** The logo, served at `url` (public, like the UI's files); null: the UI's own mark. */
  logo: { url: string; type: 'image/svg+xml' | 'image/png' } | null;
  /** The accent colours the UI uses; null: the UI's own palette. */
  palette: BrandPalette | null;
  support: { email: string | null; phone: string | null; url: string | null };
  /** The branding file in force, or null. */
  source: string | null;
  /** Why (parts of) a branding file were not used; empty when everything was. */
  warnings: string[];
}

/** The branding part of /api/v1/status (and of the support bundle): which branding is in force, its support contact, what was refused. */
export interface BrandingStatus {
  productName: string;
  support: BrandingView['support'];
  source: string | null;
  warnings: string[];
}

/** The accent and the colours derived from it so that every text on or in it meets WCAG AA (4.5:1). */
export interface BrandPalette {
  /** The reseller's colour: fills (primary buttons, selected chips), borders. */
  accent: string;
  /** The text colour on `accent`: white or the UI's dark text, whichever contrasts more. */
  accentText: string;
  /** The fill of a hovered primary button: still AA with `accentText`. */
  accentHover: string;
  /** The accent as a text colour (links, focus rings) on the UI's light backgrounds and on `accentSoft`. */
  accentInk: string;
  /** A light tint of the accent: selected rows and toggles. */
  accentSoft: string;
  /** The contrast ratios reached: text on accent, text on hover, ink on the lightest and darkest UI backgrounds. */
  contrast: { text: number; hover: number; ink: number };
}

/** WCAG 2.x AA for normal text. */
export const AA_TEXT_CONTRAST = 4.5;

/** The UI's light backgrounds an accent-coloured text can sit on (styles.css: --surface, --bg, row hover). */
export const UI_LIGHT_BACKGROUNDS = ['#ffffff', '#f4f6f9', '#f6f9fc'] as const;
/** The UI's text colour (styles.css --text), the dark candidate for text on the accent. */
export const UI_TEXT_COLOUR = '#1d2733';

const HEX_COLOUR = /^#[0-9a-f]{6}$/i;

export function isHexColour(value: string): boolean {
  return HEX_COLOUR.test(value);
}

function channels(hex: string): [number, number, number] {
  if (!isHexColour(hex)) throw new Error(`not a #rrggbb colour: ${JSON.stringify(hex)}`);
  return [1, 3, 5].map((at) => parseInt(hex.slice(at, at + 2), 16)) as [number, number, number];
}

function toHex(rgb: readonly number[]): string {
  return `#${rgb
    .map((c) =>
      Math.round(Math.min(255, Math.max(0, c)))
        .toString(16)
        .padStart(2, '0'),
    )
    .join('')}`;
}

/** WCAG 2.x relative luminance of a #rrggbb colour (0 black … 1 white). */
export function relativeLuminance(hex: string): number {
  const [r, g, b] = channels(hex).map((c) => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG 2.x contrast ratio of two colours, 1 … 21, whichever order they come in. */
export function contrastRatio(a: string, b: string): number {
  const [high, low] = [relativeLuminance(a), relativeLuminance(b)].sort((x, y) => y - x) as [number, number];
  return (high + 0.05) / (low + 0.05);
}

/** `weight` of `to` mixed into `from`, in sRGB (0: from, 1: to). */
export function mixColours(from: string, to: string, weight: number): string {
  const a = channels(from);
  const b = channels(to);
  return toHex(a.map((c, i) => c + (b[i]! - c) * weight));
}

/**
 * The palette for an accent, or why the accent cannot be used: the text on it must reach 4.5:1 with
 * white or with the UI's dark text. The ink (the accent as text) is darkened until it reaches 4.5:1
 * on every light background of the UI, so a pale accent still gives readable links.
 */
export function brandPalette(accent: string): { palette: BrandPalette } | { refused: string } {
  if (!isHexColour(accent)) return { refused: `"${accent}" is not a colour written as #rrggbb` };
  const colour = accent.toLowerCase();
  const candidates = ['#ffffff', UI_TEXT_COLOUR].map((text) => ({ text, ratio: contrastRatio(colour, text) }));
  const best = candidates.reduce((a, b) => (b.ratio > a.ratio ? b : a));
  if (best.ratio < AA_TEXT_CONTRAST) {
    return {
      refused:
        `the accent colour ${colour} leaves text on it unreadable: ${round(candidates[0]!.ratio)}:1 with white, ${round(candidates[1]!.ratio)}:1 with dark text, ` +
        `and WCAG AA needs ${AA_TEXT_CONTRAST}:1; choose a darker or a lighter colour`,
    };
  }
  // Hover moves away from the text colour: darker under white text, lighter under dark text.
  const hover = mixColours(colour, best.text === '#ffffff' ? '#000000' : '#ffffff', best.text === '#ffffff' ? 0.15 : 0.25);
  const soft = mixColours(colour, '#ffffff', 0.9);
  const backgrounds = [...UI_LIGHT_BACKGROUNDS, soft];
  const worst = (ink: string): number => Math.min(...backgrounds.map((background) => contrastRatio(ink, background)));
  let ink = colour;
  for (let step = 1; worst(ink) < AA_TEXT_CONTRAST && step <= 20; step++) ink = mixColours(colour, '#000000', step * 0.05);
  return {
    palette: {
      accent: colour,
      accentText: best.text,
      accentHover: hover,
      accentInk: ink,
      accentSoft: soft,
      contrast: { text: round(best.ratio), hover: round(contrastRatio(hover, best.text)), ink: round(worst(ink)) },
    },
  };
}

function round(ratio: number): number {
  return Math.floor(ratio * 100) / 100;
}

/**
 * Every text in `value` (strings, and the strings functions return, nested in objects) with the
 * product's name replaced by `productName`. The UI's and the tray's tables keep saying "Recapito";
 * this makes them say the reseller's name, including any text added to them later. The command
 * name (`recapito serve`, lower case) is not the product's name and is left alone.
 */
export function rebrand<T>(value: T, productName: string): T {
  if (productName === DEFAULT_PRODUCT_NAME) return value;
  return rebrandAny(value, productName) as T;
}

const NAME = new RegExp(`\\b${DEFAULT_PRODUCT_NAME}\\b`, 'g');

function rebrandAny(value: unknown, productName: string): unknown {
  if (typeof value === 'string') return value.replace(NAME, () => productName);
  if (typeof value === 'function') {
    const original = value as (...args: unknown[]) => unknown;
    return (...args: unknown[]) => rebrandAny(original(...args), productName);
  }
  if (Array.isArray(value)) return value.map((item) => rebrandAny(item, productName));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, rebrandAny(item, productName)]));
  }
  return value;
}

/** The answer when no branding file is in force. */
export function defaultBrandingView(warnings: string[] = [], source: string | null = null): BrandingView {
  return {
    isDefault: true,
    productName: DEFAULT_PRODUCT_NAME,
    shortName: DEFAULT_PRODUCT_NAME,
    logo: null,
    palette: null,
    support: { email: null, phone: null, url: null },
    source,
    warnings,
  };
}
