// A reseller's installer (docs/white-label.md): electron-builder.yml, with what the branding file
// changes where electron-builder allows it, and the branding folder shipped in the app's resources
// (resources/branding/), where the installed app finds it at start (src/main/main.ts).
//
//   npm run build
//   node build/branded-installer.ts path/to/branding.json [--print] [-- <electron-builder options>]
//
// The branding must be clean: a warning that would make the agent fall back at run time stops the
// build here instead. --print writes and shows the generated configuration without packaging.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BRANDING_ENV, loadBranding, type LoadedBranding } from '../src/core/config/branding.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
/** Where the generated configuration is written (release/ is electron-builder's output folder). */
export const BRANDED_CONFIG = join(ROOT, 'release', 'branded', 'electron-builder.branded.json');

/** What changes in electron-builder.yml: merged over it by electron-builder itself (arrays are added to). */
export interface BrandedBuilderOverrides {
  productName: string;
  appId?: string;
  extraResources: { from: string; to: string; filter: string[] }[];
  win: { executableName: string; icon?: string };
  nsis: { shortcutName: string };
  mac?: { icon: string };
  dmg: { title: string };
  linux: { desktop: { entry: { StartupWMClass: string } }; icon?: string };
}

/** A file name every OS accepts, from the product's name ("Rossi Fatture Connect" → "Rossi-Fatture-Connect"). */
export function executableNameFor(productName: string): string {
  const name = productName
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '');
  return name === '' ? 'Recapito' : name.slice(0, 64);
}

/** The overrides for a branding already read; throws on a branding that is the default or has warnings. */
export function brandedBuilderConfig(branding: LoadedBranding): BrandedBuilderOverrides {
  const { view } = branding;
  if (view.isDefault || view.source === null) throw new Error(`no branding to build with${view.warnings.length > 0 ? `: ${view.warnings.join('; ')}` : ''}`);
  if (view.warnings.length > 0) throw new Error(`the branding file ${view.source} has problems; fix them first:\n  ${view.warnings.join('\n  ')}`);
  const icon = branding.appIcon;
  return {
    productName: view.productName,
    ...(branding.appId ? { appId: branding.appId } : {}),
    // The whole branding folder: branding.json and the images it names, read by the app at start.
    extraResources: [{ from: dirname(view.source), to: 'branding', filter: ['**/*'] }],
    win: { executableName: executableNameFor(view.productName), ...(icon ? { icon } : {}) },
    nsis: { shortcutName: view.productName },
    ...(icon ? { mac: { icon } } : {}),
    dmg: { title: `${view.productName} \${version}` },
    linux: { desktop: { entry: { StartupWMClass: view.productName } }, ...(icon ? { icon } : {}) },
  };
}

/** The configuration file electron-builder is given: electron-builder.yml, extended. */
export function brandedConfigFile(overrides: BrandedBuilderOverrides, baseConfig = join(ROOT, 'electron-builder.yml')): Record<string, unknown> {
  return { extends: baseConfig, ...overrides };
}

async function main(argv: string[]): Promise<number> {
  const split = argv.indexOf('--');
  const own = split === -1 ? argv : argv.slice(0, split);
  const passed = split === -1 ? [] : argv.slice(split + 1);
  const file = own.find((arg) => !arg.startsWith('--'));
  if (!file) {
    console.error('usage: node build/branded-installer.ts path/to/branding.json [--print] [-- <electron-builder options>]');
    return 2;
  }
  const branding = await loadBranding({ env: { [BRANDING_ENV]: resolve(file) } });
  const config = brandedConfigFile(brandedBuilderConfig(branding));
  mkdirSync(dirname(BRANDED_CONFIG), { recursive: true });
  writeFileSync(BRANDED_CONFIG, `${JSON.stringify(config, null, 2)}\n`);
  console.log(`wrote ${BRANDED_CONFIG}`);
  if (own.includes('--print')) {
    console.log(JSON.stringify(config, null, 2));
    return 0;
  }
  const builder = join(ROOT, 'node_modules', 'electron-builder', 'cli.js');
  return spawnSync(process.execPath, [builder, '--config', BRANDED_CONFIG, ...passed], { cwd: ROOT, stdio: 'inherit' }).status ?? 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : String(error));
      process.exitCode = 1;
    },
  );
}
