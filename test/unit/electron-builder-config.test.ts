// electron-builder.yml: accepted by electron-builder's own schema (the pinned devDependency), and
// the choices the shell depends on are really there. Packaging itself needs downloads; not here.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const require = createRequire(import.meta.url);

interface BuilderConfig {
  appId?: string;
  productName?: string;
  files?: (string | { filter?: string[] })[];
  asar?: boolean;
  asarUnpack?: string[];
  npmRebuild?: boolean;
  extraMetadata?: { main?: string };
  extraResources?: { from: string; to?: string; filter?: string[] }[];
  electronFuses?: Record<string, boolean>;
  win?: { target?: unknown };
  mac?: { target?: unknown };
  linux?: { target?: unknown; executableName?: string };
}

async function loadConfig(overrides: Record<string, unknown> | null = null): Promise<BuilderConfig> {
  // Deep paths of the exact, pinned app-builder-lib that electron-builder itself uses.
  const { getConfig, validateConfiguration } = require(`${root}node_modules/app-builder-lib/out/util/config/config.js`) as {
    getConfig: (dir: string, path: string | null, overrides: unknown) => Promise<BuilderConfig>;
    validateConfiguration: (config: BuilderConfig, logger: unknown) => Promise<void>;
  };
  const { DebugLogger } = require(`${root}node_modules/builder-util/out/DebugLogger.js`) as { DebugLogger: new (enabled: boolean) => unknown };
  const config = await getConfig(root, null, overrides);
  await validateConfiguration(config, new DebugLogger(false));
  return config;
}

describe('electron-builder.yml', () => {
  it("passes electron-builder's schema validation (and the validation is real)", async () => {
    await expect(loadConfig()).resolves.toBeDefined();
    await expect(loadConfig({ linux: { notAnOption: true } })).rejects.toThrow(/configuration/i);
  });

  it('names the app and packs the compiled shell as the entry point', async () => {
    const config = await loadConfig();
    expect(config.appId).toBe('it.recapito.agent');
    expect(config.productName).toBe('Recapito');
    // electron-builder normalizes the list into one filter.
    const patterns = (config.files ?? []).flatMap((entry) => (typeof entry === 'string' ? [entry] : (entry.filter ?? [])));
    expect(patterns).toEqual(expect.arrayContaining(['dist/**', 'package.json', '!dist/preload/preload.js']));
    // tsconfig.electron.json compiles src/main/main.ts to dist/main/main.js.
    expect(config.extraMetadata?.main).toBe('dist/main/main.js');
    expect(existsSync(`${root}src/main/main.ts`)).toBe(true);
  });

  it("keeps better-sqlite3's native binary outside the asar archive, without rebuilding it", async () => {
    const config = await loadConfig();
    expect(config.asar).toBe(true);
    expect(config.asarUnpack).toContain('node_modules/better-sqlite3/**');
    expect(config.npmRebuild).toBe(false);
  });

  it('builds an NSIS installer, a DMG, an AppImage and a deb', async () => {
    const config = await loadConfig();
    expect(config.win?.target).toBe('nsis');
    expect(config.mac?.target).toBe('dmg');
    expect(config.linux?.target).toEqual(['AppImage', 'deb']);
  });

  it('ships the tray icons as resources and turns off the risky Electron fuses', async () => {
    const config = await loadConfig();
    // `to: .` (the resources folder itself) is normalized to no `to`.
    expect(config.extraResources).toEqual([{ from: 'resources', to: undefined, filter: ['**/*.png', 'fatturapa/*.xsd'] }]);
    expect(existsSync(`${root}resources/fatturapa/Schema_del_file_xml_FatturaPA_v1.2.2.xsd`)).toBe(true);
    expect(existsSync(`${root}resources/tray/ok.png`)).toBe(true);
    expect(existsSync(`${root}build/icon.png`)).toBe(true);
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    });
  });
});
