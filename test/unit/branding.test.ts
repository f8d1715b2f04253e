// The branding file (docs/white-label.md): a valid one is used whole; each field that cannot be used
// falls back to its default with a warning naming it; a file that cannot be used gives the default
// branding; and the accent colour's palette keeps every text at WCAG AA.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brandPalette, contrastRatio, rebrand, relativeLuminance, UI_LIGHT_BACKGROUNDS } from '../../src/contract/branding.ts';
import { brandingCandidates, loadBranding, parseBranding, pngSize, shortNameOf } from '../../src/core/config/branding.ts';
import { EXAMPLE_BRANDING, drawDisc, writeBrandingFolder } from '../helpers/branding.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir, cleanup } = await makeTempDir('recapito-branding-'));
});
afterEach(async () => {
  await cleanup();
});

async function load(overrides: Record<string, unknown> = {}) {
  const file = await writeBrandingFolder(join(dir, 'branding'), overrides);
  return loadBranding({ env: { RECAPITO_BRANDING: file } });
}

describe('contrast (WCAG 2.x)', () => {
  it('computes relative luminance and ratios as the standard defines them', () => {
    expect(relativeLuminance('#000000')).toBe(0);
    expect(relativeLuminance('#ffffff')).toBeCloseTo(1, 10);
    expect(contrastRatio('#000000', '#ffffff')).toBeCloseTo(21, 10);
    expect(contrastRatio('#ffffff', '#ffffff')).toBe(1);
    // Known pairs: #767676 on white is the classic 4.54:1, #777777 just fails.
    expect(contrastRatio('#767676', '#ffffff')).toBeCloseTo(4.54, 2);
    expect(contrastRatio('#ffffff', '#777777')).toBeLessThan(4.5);
    expect(contrastRatio('#1f5fa8', '#ffffff')).toBeCloseTo(contrastRatio('#ffffff', '#1f5fa8'), 10);
  });

  it('puts white on dark accents and dark text on light ones, always at 4.5:1 or more', () => {
    const dark = brandPalette('#0F766E');
    expect(dark).toMatchObject({ palette: { accent: '#0f766e', accentText: '#ffffff' } });
    const light = brandPalette('#f5c400');
    expect(light).toMatchObject({ palette: { accentText: '#1d2733' } });
    for (const colour of ['#0f766e', '#f5c400', '#1f5fa8', '#ffffff', '#000000', '#e4007c', '#7fdbff', '#c0392b']) {
      const result = brandPalette(colour);
      if (!('palette' in result)) throw new Error(`${colour} refused: ${result.refused}`);
      const { palette } = result;
      expect(contrastRatio(palette.accent, palette.accentText), colour).toBeGreaterThanOrEqual(4.5);
      expect(contrastRatio(palette.accentHover, palette.accentText), colour).toBeGreaterThanOrEqual(4.5);
      for (const background of [...UI_LIGHT_BACKGROUNDS, palette.accentSoft]) {
        expect(contrastRatio(palette.accentInk, background), `${colour} ink on ${background}`).toBeGreaterThanOrEqual(4.5);
      }
      expect(palette.contrast.text).toBeGreaterThanOrEqual(4.5);
    }
    // A pale accent cannot be a text colour as it is: the ink is a darker shade of it.
    const pale = brandPalette('#7fdbff');
    expect('palette' in pale && pale.palette.accentInk).not.toBe('#7fdbff');
  });

  it('refuses a mid-tone accent no text colour can be read on, and a malformed one', () => {
    const grey = brandPalette('#808080');
    expect(grey).toEqual({ refused: expect.stringMatching(/#808080 .*3\.94:1 with white.*4\.5:1/) as unknown });
    expect(brandPalette('#12345')).toEqual({ refused: expect.stringContaining('#rrggbb') as unknown });
  });
});

describe('rebrand', () => {
  it('replaces the product name in strings, nested objects and what functions return, but not the command name', () => {
    const table = {
      title: 'Recapito',
      nested: { intro: 'Apri Recapito' },
      count: (n: number) => `${n} documenti in Recapito`,
      command: 'recapito serve',
      n: 3,
    };
    const branded = rebrand(table, 'Rossi Fatture');
    expect(branded.title).toBe('Rossi Fatture');
    expect(branded.nested.intro).toBe('Apri Rossi Fatture');
    expect(branded.count(2)).toBe('2 documenti in Rossi Fatture');
    expect(branded.command).toBe('recapito serve');
    expect(branded.n).toBe(3);
    expect(rebrand(table, 'Recapito')).toBe(table);
  });
});

describe('branding file', () => {
  it('uses a valid file whole: names, logo, tray and app icons, palette, support, app id', async () => {
    const branding = await load();
    expect(branding.view.warnings).toEqual([]);
    expect(branding.view).toMatchObject({
      isDefault: false,
      productName: 'Rossi Fatture Connect',
      shortName: 'Rossi Fatture',
      logo: { url: '/api/v1/branding/logo', type: 'image/svg+xml' },
      palette: { accent: '#0f766e', accentText: '#ffffff' },
      support: EXAMPLE_BRANDING.support,
      source: join(dir, 'branding', 'branding.json'),
    });
    expect(branding.logo?.bytes.toString('utf8')).toContain('<svg');
    expect(Object.keys(branding.trayIcons ?? {})).toEqual(['ok', 'working', 'attention', 'error']);
    expect(branding.trayIcons?.ok).toBe(join(dir, 'branding', 'tray-ok.png'));
    expect(branding.appIcon).toBe(join(dir, 'branding', 'icon.png'));
    expect(branding.appId).toBe('example.rossi.fatture');
  });

  it("keeps the documentation's example (docs/white-label-example/) clean and the same as the tests'", async () => {
    const example = await loadBranding({ env: { RECAPITO_BRANDING: join(REPO, 'docs', 'white-label-example', 'branding.json') } });
    expect(example.view.warnings).toEqual([]);
    expect(JSON.parse(await readFile(join(REPO, 'docs', 'white-label-example', 'branding.json'), 'utf8'))).toEqual(EXAMPLE_BRANDING);
    expect(example.trayIcons).not.toBeNull();
    expect(example.appIcon).not.toBeNull();
  });

  it('reads PNG sizes from the header', () => {
    expect(pngSize(drawDisc(32, [1, 2, 3]))).toEqual({ width: 32, height: 32 });
    expect(pngSize(Buffer.from('not a png'))).toBeNull();
  });

  it('gives a short name cut after whole words when none is given', async () => {
    expect(shortNameOf('Rossi')).toBe('Rossi');
    expect(shortNameOf('Studio Bianchi Fatture Elettroniche')).toBe('Studio Bianchi');
    expect(shortNameOf('Supercalifragilisticexpialidocious')).toBe('Supercalifragili');
    const branding = await load({ shortName: undefined, productName: 'Studio Bianchi Fatture Elettroniche' });
    expect(branding.view.shortName).toBe('Studio Bianchi');
    expect(branding.view.warnings).toEqual([]);
  });

  // Each invalid field: that field's default, a warning naming it, everything else still in force.
  const invalidFields: [string, Record<string, unknown>, (view: Awaited<ReturnType<typeof load>>) => unknown, RegExp][] = [
    [
      'a short name with a control character',
      { shortName: 'Ros\u0007si' },
      (b) => (b.view.shortName === 'Rossi Fatture' ? null : b.view.shortName),
      /^shortName .*control/,
    ],
    ['an accent that is not #rrggbb', { accentColor: 'teal' }, (b) => b.view.palette, /^accentColor .*#rrggbb/],
    ['an accent with 3 digits', { accentColor: '#0f7' }, (b) => b.view.palette, /^accentColor .*#rrggbb/],
    ['an accent too pale for any text', { accentColor: '#808080' }, (b) => b.view.palette, /^accentColor is not used: .*WCAG AA/],
    ['a missing logo', { logo: 'nowhere.svg' }, (b) => b.view.logo, /^logo "nowhere.svg" is not used: no such file/],
    ['a logo outside the folder', { logo: '../outside.svg' }, (b) => b.view.logo, /^logo .*no absolute path, no \.\./],
    ['an absolute logo path', { logo: '/etc/passwd.png' }, (b) => b.view.logo, /^logo .*no absolute path/],
    ['a logo of another type', { logo: 'logo.gif' }, (b) => b.view.logo, /^logo .*\.svg or \.png/],
    [
      'an http support address',
      { support: { ...EXAMPLE_BRANDING.support, url: 'http://rossi.example/help' } },
      (b) => b.view.support.url,
      /^support\.url .*https:\/\//,
    ],
    [
      'a javascript: support address',
      { support: { ...EXAMPLE_BRANDING.support, url: 'javascript:alert(1)' } },
      (b) => b.view.support.url,
      /^support\.url .*https:\/\//,
    ],
    ['a bad e-mail', { support: { ...EXAMPLE_BRANDING.support, email: 'not-an-address' } }, (b) => b.view.support.email, /^support\.email .*e-mail/],
    ['a bad phone', { support: { ...EXAMPLE_BRANDING.support, phone: 'call us' } }, (b) => b.view.support.phone, /^support\.phone .*phone/],
    [
      'a tray icon that is missing',
      { trayIcons: { ...EXAMPLE_BRANDING.trayIcons, error: 'gone.png' } },
      (b) => b.trayIcons,
      /^trayIcons\.error "gone.png" is not used/,
    ],
    ['tray icons without one state', { trayIcons: { ok: 'tray-ok.png' } }, (b) => b.trayIcons, /^trayIcons .*working/],
    ['an app icon that is too small', { appIcon: 'tray-ok.png' }, (b) => b.appIcon, /^appIcon .*16×16 pixels; between 256 and 1024/],
    ['a bad app id', { appId: 'not an id' }, (b) => b.appId, /^appId .*reverse domain name/],
  ];
  it.each(invalidFields)('falls back on %s, with a warning, and keeps the rest', async (_label, overrides, read, warning) => {
    const branding = await load(overrides);
    expect(branding.view.warnings).toHaveLength(1);
    expect(branding.view.warnings[0]).toMatch(warning);
    const value = read(branding);
    if (typeof value !== 'string') expect(value).toBeNull();
    // The rest of the brand still applies.
    expect(branding.view.isDefault).toBe(false);
    expect(branding.view.productName).toBe('Rossi Fatture Connect');
  });

  it('refuses logos that are too large, active SVGs and images that lie about their type', async () => {
    const folder = join(dir, 'branding');
    await writeBrandingFolder(folder);
    await writeFile(join(folder, 'big.png'), Buffer.alloc(300 * 1024));
    await writeFile(join(folder, 'script.svg'), '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
    await writeFile(join(folder, 'handler.svg'), '<svg xmlns="http://www.w3.org/2000/svg"><rect onload="alert(1)"/></svg>');
    await writeFile(join(folder, 'remote.svg'), '<svg xmlns="http://www.w3.org/2000/svg"><image href="https://tracker.example/x.png"/></svg>');
    await writeFile(join(folder, 'fake.png'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    await writeFile(join(folder, 'huge.png'), drawDisc(16, [0, 0, 0]).fill(0xff, 16, 24)); // IHDR says 4294967295 px
    await writeFile(join(folder, 'outside.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    await mkdir(join(dir, 'elsewhere'));
    await writeFile(join(dir, 'elsewhere', 'secret.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    await symlink(join(dir, 'elsewhere', 'secret.svg'), join(folder, 'link.svg'));
    const cases: [string, RegExp][] = [
      ['big.png', /307200 bytes; at most 262144/],
      ['script.svg', /script/],
      ['handler.svg', /event handler/],
      ['remote.svg', /outside files or addresses/],
      ['fake.png', /not a PNG/],
      ['huge.png', /4294967295.*pixels/],
      ['link.svg', /outside the branding folder/],
    ];
    for (const [logo, why] of cases) {
      await writeFile(join(folder, 'branding.json'), JSON.stringify({ ...EXAMPLE_BRANDING, logo }));
      const branding = await loadBranding({ env: { RECAPITO_BRANDING: join(folder, 'branding.json') } });
      expect(branding.view.logo, logo).toBeNull();
      expect(branding.view.warnings, logo).toEqual([expect.stringMatching(why)]);
    }
  });

  it('refuses the whole file, with a warning, when it cannot stand for a brand', async () => {
    const cases: [string, string, RegExp][] = [
      ['not JSON', '{ productName: ', /not valid JSON/],
      ['not an object', '["Rossi"]', /not a JSON object/],
      ['no product name', JSON.stringify({ accentColor: '#0f766e' }), /productName is missing/],
      ['an empty product name', JSON.stringify({ productName: '   ' }), /productName cannot be used/],
      ['a product name with a line break', JSON.stringify({ productName: 'Rossi\nFatture' }), /productName .*control.*productName cannot be used/s],
      ['a product name with a bidi override', JSON.stringify({ productName: 'Rossi \u202Eerutaf' }), /invisible formatting/],
      ['a product name too long', JSON.stringify({ productName: 'R'.repeat(41) }), /at most 40 characters/],
    ];
    for (const [label, text, why] of cases) {
      const branding = await parseBranding(text, join(dir, 'branding.json'));
      expect(branding.view.isDefault, label).toBe(true);
      expect(branding.view.productName, label).toBe('Recapito');
      expect(branding.view.palette, label).toBeNull();
      expect(branding.view.warnings.join(' '), label).toMatch(why);
      expect(branding.view.warnings.at(-1), label).toMatch(/using the default branding$/);
    }
    // Too large, and named by RECAPITO_BRANDING but missing: the default, with a warning.
    await writeFile(join(dir, 'large.json'), ' '.repeat(70 * 1024));
    expect((await loadBranding({ env: { RECAPITO_BRANDING: join(dir, 'large.json') } })).view.warnings[0]).toMatch(/at most 65536/);
    const missing = await loadBranding({ env: { RECAPITO_BRANDING: join(dir, 'none.json') } });
    expect(missing.view).toMatchObject({
      isDefault: true,
      productName: 'Recapito',
      warnings: [expect.stringMatching(/none\.json \(environment\) cannot be read/)],
    });
  });

  it('warns about unknown fields (a typo) but uses the rest', async () => {
    const branding = await load({ acentColor: '#000000' });
    expect(branding.view.warnings).toEqual(['unknown field "acentColor" ignored']);
    expect(branding.view.palette?.accent).toBe('#0f766e');
  });

  it('is looked for in RECAPITO_BRANDING, then the data folder, then the installed app; no file is no warning', async () => {
    expect(brandingCandidates({ env: { RECAPITO_BRANDING: '/x/b.json' }, dataDir: '/data', resourcesDir: '/app/resources' })).toEqual([
      { path: '/x/b.json', origin: 'environment' },
      { path: join('/data', 'branding', 'branding.json'), origin: 'data folder' },
      { path: join('/app/resources', 'branding', 'branding.json'), origin: 'application' },
    ]);
    const none = await loadBranding({ env: {}, dataDir: join(dir, 'data'), resourcesDir: join(dir, 'resources') });
    expect(none.view).toMatchObject({ isDefault: true, warnings: [], source: null });
    await writeBrandingFolder(join(dir, 'resources', 'branding'), { productName: 'From The App' });
    expect((await loadBranding({ env: {}, dataDir: join(dir, 'data'), resourcesDir: join(dir, 'resources') })).view.productName).toBe('From The App');
    await writeBrandingFolder(join(dir, 'data', 'branding'), { productName: 'From The Data Folder' });
    expect((await loadBranding({ env: {}, dataDir: join(dir, 'data'), resourcesDir: join(dir, 'resources') })).view.productName).toBe('From The Data Folder');
  });
});
