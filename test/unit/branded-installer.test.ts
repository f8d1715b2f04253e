// The branded installer's configuration (build/branded-installer.ts, docs/white-label.md): generated
// from a branding file, merged over electron-builder.yml by electron-builder's own loader and accepted
// by its schema, with the product name, app id, icons and the branding folder in the resources; an
// unclean branding stops the build. Packaging itself needs downloads; not here.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brandedBuilderConfig, brandedConfigFile, executableNameFor } from '../../build/branded-installer.ts';
import { loadBranding } from '../../src/core/config/branding.ts';
import { writeBrandingFolder } from '../helpers/branding.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const require = createRequire(import.meta.url);

interface BuilderConfig {
  appId?: string;
  productName?: string;
  extraResources?: { from?: string; to?: string; filter?: string[] }[];
  win?: { target?: unknown; executableName?: string; icon?: string };
  nsis?: { shortcutName?: string; oneClick?: boolean };
  mac?: { icon?: string; target?: unknown };
  dmg?: { title?: string };
  linux?: { icon?: string; executableName?: string; desktop?: { entry?: Record<string, string> } };
  electronFuses?: Record<string, boolean>;
}

/** The configuration electron-builder would build with, from a config file, checked by its schema. */
async function loadConfigFile(file: string): Promise<BuilderConfig> {
  const { getConfig, validateConfiguration } = require(`${root}node_modules/app-builder-lib/out/util/config/config.js`) as {
    getConfig: (dir: string, path: string | null, overrides: unknown) => Promise<BuilderConfig>;
    validateConfiguration: (config: BuilderConfig, logger: unknown) => Promise<void>;
  };
  const { DebugLogger } = require(`${root}node_modules/builder-util/out/DebugLogger.js`) as { DebugLogger: new (enabled: boolean) => unknown };
  const config = await getConfig(root, file, null);
  await validateConfiguration(config, new DebugLogger(false));
  return config;
}

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir, cleanup } = await makeTempDir('recapito-installer-'));
});
afterEach(async () => {
  await cleanup();
});

async function brandedConfig(overrides: Record<string, unknown> = {}): Promise<BuilderConfig> {
  const file = await writeBrandingFolder(join(dir, 'branding'), overrides);
  const config = brandedConfigFile(brandedBuilderConfig(await loadBranding({ env: { RECAPITO_BRANDING: file } })));
  const configFile = join(dir, 'electron-builder.branded.json');
  await writeFile(configFile, JSON.stringify(config));
  return loadConfigFile(configFile);
}

describe('branded installer configuration', () => {
  it("is electron-builder.yml with the brand's name, app id and icons, and the branding folder in the resources", async () => {
    const config = await brandedConfig();
    const icon = join(dir, 'branding', 'icon.png');
    expect(config.productName).toBe('Rossi Fatture Connect');
    expect(config.appId).toBe('example.rossi.fatture');
    expect(config.win).toMatchObject({ target: 'nsis', executableName: 'Rossi-Fatture-Connect', icon });
    expect(config.nsis).toMatchObject({ shortcutName: 'Rossi Fatture Connect', oneClick: false });
    expect(config.mac).toMatchObject({ target: 'dmg', icon });
    expect(config.dmg?.title).toBe('Rossi Fatture Connect ${version}');
    expect(config.linux).toMatchObject({ icon, executableName: 'recapito-desktop', desktop: { entry: { StartupWMClass: 'Rossi Fatture Connect' } } });
    // The app's own resources stay; the branding folder is added where main.ts looks for it.
    expect(config.extraResources).toEqual([
      { from: 'resources', to: undefined, filter: ['**/*.png', 'fatturapa/*.xsd'] },
      { from: dirname(icon), to: 'branding', filter: ['**/*'] },
    ]);
    // Everything else of electron-builder.yml is kept (the fuses, for one).
    expect(config.electronFuses).toMatchObject({ runAsNode: false, onlyLoadAppFromAsar: true });
  });

  it('keeps the default app id and icons when the branding gives none', async () => {
    const config = await brandedConfig({ appId: undefined, appIcon: undefined });
    expect(config.appId).toBe('it.recapito.agent');
    expect(config.productName).toBe('Rossi Fatture Connect');
    expect(config.win?.icon).toBeUndefined();
    expect(config.mac?.icon).toBeUndefined();
  });

  it('refuses to build with a branding that has problems, or with none', async () => {
    await expect(brandedConfig({ accentColor: '#808080' })).rejects.toThrow(/has problems; fix them first:\n {2}accentColor is not used/);
    await expect(brandedConfig({ productName: '' })).rejects.toThrow(/no branding to build with: .*productName/);
  });

  it('derives an executable name every OS accepts', () => {
    expect(executableNameFor('Rossi Fatture Connect')).toBe('Rossi-Fatture-Connect');
    expect(executableNameFor('Società Caffè & Figli')).toBe('Societa-Caffe-Figli');
    expect(executableNameFor('…')).toBe('Recapito');
  });
});
