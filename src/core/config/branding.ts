// The reseller's branding file (docs/white-label.md): found, read and checked once at start. Nothing
// in it can stop the agent: a file that cannot be used gives the default Recapito branding, a field
// that cannot be used gives that field's default, and each refusal is a warning (log and /status).
import { realpath } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { z } from 'zod';
import { brandPalette, defaultBrandingView, type BrandingStatus, type BrandingView } from '../../contract/branding.ts';
import { openRegularFile } from '../util/regular-file.ts';

export const BRANDING_FILE_NAME = 'branding.json';
/** The folder of the data folder (or of the app's resources) that holds branding.json and its images. */
export const BRANDING_DIR_NAME = 'branding';
export const BRANDING_ENV = 'RECAPITO_BRANDING';

export const TRAY_ICON_NAMES = ['ok', 'working', 'attention', 'error'] as const;
export type BrandTrayIcon = (typeof TRAY_ICON_NAMES)[number];

/** Bounds: the file, and each image (bytes and pixels). */
export const BRANDING_LIMITS = {
  fileBytes: 64 * 1024,
  logo: { bytes: 256 * 1024, minPixels: 16, maxPixels: 2048 },
  trayIcon: { bytes: 64 * 1024, minPixels: 16, maxPixels: 256 },
  appIcon: { bytes: 2 * 1024 * 1024, minPixels: 256, maxPixels: 1024 },
} as const;

export interface LoadedBranding {
  view: BrandingView;
  /** The logo's bytes, served by the local API (kept in memory: at most 256 KiB). */
  logo: { bytes: Buffer; type: 'image/svg+xml' | 'image/png' } | null;
  /** Absolute paths of the four tray icons (PNG; a `name@2x.png` next to each is picked up by Electron). */
  trayIcons: Record<BrandTrayIcon, string> | null;
  /** The window's and the installer's icon (PNG, square, 256–1024 px). */
  appIcon: string | null;
  /** The installer's application id (reverse domain name), when the reseller gives one. */
  appId: string | null;
}

export interface BrandingLookup {
  env?: NodeJS.ProcessEnv;
  /** The agent's data folder: `<dataDir>/branding/branding.json`. */
  dataDir?: string | null;
  /** The installed app's resources (Electron's process.resourcesPath): `<resources>/branding/branding.json`. */
  resourcesDir?: string | null;
}

export interface BrandingCandidate {
  path: string;
  /** Where it comes from, in words for the log. */
  origin: 'environment' | 'data folder' | 'application';
}

/** Where a branding file is looked for, first match wins: RECAPITO_BRANDING, the data folder, the installed app. */
export function brandingCandidates(lookup: BrandingLookup): BrandingCandidate[] {
  const candidates: BrandingCandidate[] = [];
  const explicit = lookup.env?.[BRANDING_ENV]?.trim();
  if (explicit) candidates.push({ path: resolve(explicit), origin: 'environment' });
  if (lookup.dataDir) candidates.push({ path: join(lookup.dataDir, BRANDING_DIR_NAME, BRANDING_FILE_NAME), origin: 'data folder' });
  if (lookup.resourcesDir) candidates.push({ path: join(lookup.resourcesDir, BRANDING_DIR_NAME, BRANDING_FILE_NAME), origin: 'application' });
  return candidates;
}

export function defaultBranding(warnings: string[] = [], source: string | null = null): LoadedBranding {
  return { view: defaultBrandingView(warnings, source), logo: null, trayIcons: null, appIcon: null, appId: null };
}

export function brandingStatus(branding: LoadedBranding): BrandingStatus {
  return { productName: branding.view.productName, support: { ...branding.view.support }, source: branding.view.source, warnings: [...branding.view.warnings] };
}

/**
 * The branding in force. Never throws: RECAPITO_BRANDING naming a missing file is a warning (and the
 * default), a missing file elsewhere is simply no branding.
 */
export async function loadBranding(lookup: BrandingLookup): Promise<LoadedBranding> {
  for (const candidate of brandingCandidates(lookup)) {
    const text = await readBounded(candidate.path, BRANDING_LIMITS.fileBytes).catch((error: unknown) => error as Error);
    if (text instanceof Error) {
      if ((text as NodeJS.ErrnoException).code === 'ENOENT' && candidate.origin !== 'environment') continue;
      return defaultBranding(
        [`branding file ${candidate.path} (${candidate.origin}) cannot be read: ${text.message}; using the default branding`],
        candidate.path,
      );
    }
    try {
      return await parseBranding(text, candidate.path);
    } catch (error) {
      // parseBranding answers its own refusals; this is a bug's last line of defence: still no crash.
      return defaultBranding([`branding file ${candidate.path} could not be used: ${(error as Error).message}; using the default branding`], candidate.path);
    }
  }
  return defaultBranding();
}

// ---- The fields ----------------------------------------------------------------------------------

/** Control characters, and the invisible formatting ones (bidi overrides, zero-width) that make a name lie. */
const HIDDEN = /[\p{Cc}\p{Cf}\u2028\u2029]/u;
function text(max: number) {
  return z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .refine((value) => !HIDDEN.test(value), 'must not contain control or invisible formatting characters')
    .refine((value) => /[\p{L}\p{N}]/u.test(value), 'must contain a letter or a digit');
}
const fileName = (extensions: readonly string[]) =>
  z
    .string()
    .min(1)
    .max(255)
    .refine(
      (value) => !isAbsolute(value) && !/^[a-zA-Z]:/.test(value) && !value.split(/[\\/]/).includes('..'),
      'must be a file name next to branding.json (no absolute path, no ..)',
    )
    .refine((value) => !HIDDEN.test(value), 'must not contain control characters')
    .refine((value) => extensions.some((extension) => value.toLowerCase().endsWith(extension)), `must be a ${extensions.join(' or ')} file`);
const httpsUrl = z
  .string()
  .max(2048)
  .refine((value) => {
    try {
      const url = new URL(value);
      return url.protocol === 'https:' && url.hostname !== '' && url.username === '' && url.password === '';
    } catch {
      return false;
    }
  }, 'must be an https:// address without a user name or password');

const FIELDS = {
  productName: text(40),
  shortName: text(16),
  logo: fileName(['.svg', '.png']),
  trayIcons: z.strictObject({ ok: fileName(['.png']), working: fileName(['.png']), attention: fileName(['.png']), error: fileName(['.png']) }),
  appIcon: fileName(['.png']),
  accentColor: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour written as #rrggbb'),
  support: z.record(z.string(), z.unknown()),
  appId: z
    .string()
    .max(100)
    .regex(/^[a-zA-Z][a-zA-Z0-9-]*(\.[a-zA-Z0-9-]+)+$/, 'must be a reverse domain name such as it.example.fatture'),
};
const SUPPORT_FIELDS = {
  email: z.email('must be an e-mail address').max(254),
  phone: z.string().regex(/^\+?[0-9][0-9 ()./-]{3,28}[0-9]$/, 'must be a phone number (digits, spaces, + ( ) . / -)'),
  url: httpsUrl,
};

type FieldName = keyof typeof FIELDS;

function problem(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.length > 0 ? `${issue.path.join('.')}: ` : ''}${issue.message}`).join('; ');
}

/** Reads one branding file's text; each field that cannot be used falls back to its default, with a warning. */
export async function parseBranding(text: string, path: string): Promise<LoadedBranding> {
  const warnings: string[] = [];
  const refuse = (why: string): LoadedBranding => defaultBranding([...warnings, `branding file ${path}: ${why}; using the default branding`], path);
  let raw: unknown;
  try {
    raw = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    return refuse(`not valid JSON (${(error as Error).message})`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return refuse('not a JSON object');
  const record = raw as Record<string, unknown>;
  const field = <K extends FieldName>(name: K): z.infer<(typeof FIELDS)[K]> | null => {
    if (record[name] === undefined) return null;
    const parsed = FIELDS[name].safeParse(record[name]);
    if (parsed.success) return parsed.data as z.infer<(typeof FIELDS)[K]>;
    warnings.push(`${name} ${JSON.stringify(record[name]).slice(0, 80)} is not used: ${problem(parsed.error)}`);
    return null;
  };

  for (const key of Object.keys(record)) {
    if (!(key in FIELDS) && key !== '$schema' && key !== 'comment') warnings.push(`unknown field "${key.slice(0, 40)}" ignored`);
  }
  const productName = field('productName');
  // Without its name a brand is nothing: the whole file is set aside.
  if (productName === null) return refuse(record['productName'] === undefined ? 'productName is missing' : 'productName cannot be used');

  const folder = dirname(path);
  const view = defaultBrandingView([], path);
  view.isDefault = false;
  view.productName = productName;
  const shortName = field('shortName');
  view.shortName = shortName ?? shortNameOf(productName);

  const accent = field('accentColor');
  if (accent !== null) {
    const palette = brandPalette(accent);
    if ('palette' in palette) view.palette = palette.palette;
    else warnings.push(`accentColor is not used: ${palette.refused}`);
  }

  const support = field('support');
  if (support !== null) {
    for (const [key, value] of Object.entries(support)) {
      if (!(key in SUPPORT_FIELDS)) {
        warnings.push(`unknown field "support.${key.slice(0, 40)}" ignored`);
        continue;
      }
      const name = key as keyof typeof SUPPORT_FIELDS;
      const parsed = SUPPORT_FIELDS[name].safeParse(value);
      if (parsed.success) view.support[name] = parsed.data;
      else warnings.push(`support.${name} ${JSON.stringify(value).slice(0, 80)} is not used: ${problem(parsed.error)}`);
    }
  }

  const loaded: LoadedBranding = { view, logo: null, trayIcons: null, appIcon: null, appId: field('appId') };

  const logoName = field('logo');
  if (logoName !== null) {
    const logo = await checkImage(folder, logoName, BRANDING_LIMITS.logo, { svg: true, square: false }).catch((error: unknown) => error as Error);
    if (logo instanceof Error) warnings.push(`logo "${logoName}" is not used: ${logo.message}`);
    else {
      loaded.logo = { bytes: logo.bytes, type: logo.type };
      view.logo = { url: '/api/v1/branding/logo', type: logo.type };
    }
  }

  const trayNames = field('trayIcons');
  if (trayNames !== null) {
    const icons: Partial<Record<BrandTrayIcon, string>> = {};
    for (const name of TRAY_ICON_NAMES) {
      const icon = await checkImage(folder, trayNames[name], BRANDING_LIMITS.trayIcon, { svg: false, square: true }).catch((error: unknown) => error as Error);
      if (icon instanceof Error) {
        warnings.push(`trayIcons.${name} "${trayNames[name]}" is not used: ${icon.message}; the tray keeps the default icons`);
        break;
      }
      icons[name] = icon.path;
    }
    if (TRAY_ICON_NAMES.every((name) => icons[name] !== undefined)) loaded.trayIcons = icons as Record<BrandTrayIcon, string>;
  }

  const appIconName = field('appIcon');
  if (appIconName !== null) {
    const icon = await checkImage(folder, appIconName, BRANDING_LIMITS.appIcon, { svg: false, square: true }).catch((error: unknown) => error as Error);
    if (icon instanceof Error) warnings.push(`appIcon "${appIconName}" is not used: ${icon.message}`);
    else loaded.appIcon = icon.path;
  }

  view.warnings = warnings;
  return loaded;
}

/** A name for narrow places when the file gives none: the product's name, cut after whole words to 16 characters. */
export function shortNameOf(productName: string): string {
  if (productName.length <= 16) return productName;
  const words = productName.split(/\s+/);
  let short = '';
  for (const word of words) {
    const next = short === '' ? word : `${short} ${word}`;
    if (next.length > 16) break;
    short = next;
  }
  return short === '' ? productName.slice(0, 16).trim() : short;
}

// ---- Images --------------------------------------------------------------------------------------

interface CheckedImage {
  path: string;
  bytes: Buffer;
  type: 'image/svg+xml' | 'image/png';
}

/** An image next to the branding file: inside its folder (links included), within its bounds, and what its name says it is. */
async function checkImage(
  folder: string,
  name: string,
  limits: { bytes: number; minPixels: number; maxPixels: number },
  options: { svg: boolean; square: boolean },
): Promise<CheckedImage> {
  const path = resolve(folder, name);
  const [realFolder, realPath] = await Promise.all([realpath(folder), realpath(path)]).catch((error: unknown) => {
    throw new Error((error as NodeJS.ErrnoException).code === 'ENOENT' ? `no such file next to branding.json (${path})` : (error as Error).message);
  });
  const inside = relative(realFolder, realPath);
  if (inside === '' || inside.startsWith(`..${sep}`) || inside === '..' || isAbsolute(inside)) throw new Error('it leads outside the branding folder');
  const bytes = await readBounded(realPath, limits.bytes, true);
  if (name.toLowerCase().endsWith('.svg')) {
    if (!options.svg) throw new Error('it must be a PNG');
    checkSvg(bytes);
    return { path: realPath, bytes, type: 'image/svg+xml' };
  }
  const size = pngSize(bytes);
  if (size === null) throw new Error('it is not a PNG image');
  const { width, height } = size;
  if (Math.min(width, height) < limits.minPixels || Math.max(width, height) > limits.maxPixels) {
    throw new Error(`it is ${width}×${height} pixels; between ${limits.minPixels} and ${limits.maxPixels} are accepted`);
  }
  if (options.square && width !== height) throw new Error(`it is ${width}×${height} pixels; it must be square`);
  return { path: realPath, bytes, type: 'image/png' };
}

/** A PNG's width and height from its IHDR chunk, or null when the bytes are not a PNG. */
export function pngSize(bytes: Buffer): { width: number; height: number } | null {
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  if (bytes.length < 24 || !bytes.subarray(0, 8).equals(signature) || bytes.toString('latin1', 12, 16) !== 'IHDR') return null;
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/** An SVG logo is shown in an <img> (where scripts never run) but may be opened alone: nothing active, nothing fetched. */
function checkSvg(bytes: Buffer): void {
  const svg = bytes.toString('utf8');
  if (!/<svg[\s>]/i.test(svg)) throw new Error('it is not an SVG image (no <svg> element)');
  if (/<!(DOCTYPE|ENTITY)/i.test(svg)) throw new Error('it declares a DOCTYPE or entities');
  if (/<script[\s>/]/i.test(svg) || /<foreignObject[\s>/]/i.test(svg)) throw new Error('it contains a script or foreign content');
  if (/\son[a-z]+\s*=/i.test(svg)) throw new Error('it contains event handler attributes (on…=)');
  if (/(?:href|src)\s*=\s*["']\s*(?!#|data:image\/)/i.test(svg))
    throw new Error('it refers to outside files or addresses (only #fragments and data:image are allowed)');
}

/** A regular file's bytes (or text), refused above `max` bytes before anything is read. */
async function readBounded(path: string, max: number): Promise<string>;
async function readBounded(path: string, max: number, binary: true): Promise<Buffer>;
async function readBounded(path: string, max: number, binary = false): Promise<string | Buffer> {
  const { handle, stats } = await openRegularFile(path, { followLinks: true });
  try {
    if (stats.size > BigInt(max)) throw new Error(`it is ${stats.size} bytes; at most ${max} are accepted`);
    const bytes = await handle.readFile();
    if (bytes.length > max) throw new Error(`it is over ${max} bytes`);
    return binary ? bytes : bytes.toString('utf8');
  } finally {
    await handle.close();
  }
}
