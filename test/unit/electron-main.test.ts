// The entry point, end to end with Electron mocked and everything else real: a real agent core on
// a temp data folder, its local API over real HTTP, real files. Checks the glue: single instance,
// the OS secret store used for the hub key, the window loading the local UI, the bridge, the tray,
// an orderly quit, and the refusal to start without a keyring.
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AgentStatus } from '../../src/contract/local-api.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { waitFor } from '../helpers/wait-for.ts';

interface FakeTray {
  image: unknown;
  tooltip: string;
  menu: { label?: string; click?: () => void; type?: string }[];
  destroyed: boolean;
}

const fake = vi.hoisted(() => {
  const state = {
    lockGranted: true,
    backend: 'gnome_libsecret' as string,
    appEvents: new Map<string, ((...args: unknown[]) => void)[]>(),
    quitCalls: 0,
    exitCodes: [] as number[],
    errorBoxes: [] as { title: string; message: string }[],
    handlers: new Map<string, (event: unknown, ...args: unknown[]) => unknown>(),
    trays: [] as FakeTray[],
    windows: [] as { options: Record<string, unknown>; urls: string[]; shown: boolean }[],
    whenReadyCalls: 0,
  };
  return { state };
});

vi.mock('electron', () => {
  const { state } = fake;
  const emitter = (target: Record<string, unknown>) => {
    const listeners = new Map<string, ((...args: unknown[]) => void)[]>();
    target.on = (event: string, listener: (...args: unknown[]) => void) => {
      listeners.set(event, [...(listeners.get(event) ?? []), listener]);
      return target;
    };
    target.once = target.on;
    target.emit = (event: string, ...args: unknown[]) => (listeners.get(event) ?? []).forEach((l) => l(...args));
    return target;
  };
  const app = {
    isPackaged: false,
    enableSandbox: () => undefined,
    requestSingleInstanceLock: () => state.lockGranted,
    on: (event: string, listener: (...args: unknown[]) => void) => {
      state.appEvents.set(event, [...(state.appEvents.get(event) ?? []), listener]);
      return app;
    },
    whenReady: () => {
      state.whenReadyCalls += 1;
      return Promise.resolve();
    },
    getLocale: () => 'it-IT',
    setAppUserModelId: () => undefined,
    getLoginItemSettings: () => ({ wasOpenedAtLogin: false }),
    setLoginItemSettings: () => undefined,
    quit: () => {
      state.quitCalls += 1;
      const event = {
        defaultPrevented: false,
        preventDefault() {
          this.defaultPrevented = true;
        },
      };
      for (const listener of state.appEvents.get('before-quit') ?? []) listener(event);
    },
    exit: (code: number) => state.exitCodes.push(code),
  };
  const safeStorage = {
    getSelectedStorageBackend: () => state.backend,
    isAsyncEncryptionAvailable: async () => true,
    encryptStringAsync: async (text: string) => Buffer.concat([Buffer.from('enc:'), Buffer.from(text).reverse()]),
    decryptStringAsync: async (data: Buffer) => ({ result: Buffer.from(data.subarray(4)).reverse().toString(), shouldReEncrypt: false }),
  };
  class Tray {
    image: unknown;
    tooltip = '';
    menu: unknown[] = [];
    destroyed = false;
    constructor(image: unknown) {
      this.image = image;
      emitter(this as unknown as Record<string, unknown>);
      state.trays.push(this as unknown as FakeTray);
    }
    setImage(image: unknown) {
      this.image = image;
    }
    setToolTip(text: string) {
      this.tooltip = text;
    }
    setContextMenu(menu: unknown[]) {
      this.menu = menu;
    }
    destroy() {
      this.destroyed = true;
    }
  }
  class BrowserWindow {
    options: Record<string, unknown>;
    urls: string[] = [];
    shown = false;
    webContents: Record<string, unknown>;
    constructor(options: Record<string, unknown>) {
      this.options = options;
      emitter(this as unknown as Record<string, unknown>);
      const session = {
        setPermissionRequestHandler: () => undefined,
        setPermissionCheckHandler: () => undefined,
        setDevicePermissionHandler: () => undefined,
        webRequest: { onBeforeRequest: () => undefined },
      };
      this.webContents = emitter({ session });
      state.windows.push(this);
    }
    loadURL(url: string) {
      this.urls.push(url);
      (this as unknown as { emit(e: string): void }).emit('ready-to-show');
      return Promise.resolve();
    }
    show() {
      this.shown = true;
    }
    hide() {
      this.shown = false;
    }
    focus() {}
    restore() {}
    isMinimized() {
      return false;
    }
    isDestroyed() {
      return false;
    }
  }
  class Notification {
    static isSupported() {
      return true;
    }
    on() {}
    show() {}
  }
  return {
    app,
    safeStorage,
    Tray,
    BrowserWindow,
    Notification,
    Menu: { buildFromTemplate: (template: unknown[]) => template },
    nativeImage: { createFromPath: (path: string) => ({ path }) },
    ipcMain: {
      handle: (channel: string, handler: (event: unknown, ...args: unknown[]) => unknown) => state.handlers.set(channel, handler),
      removeHandler: (channel: string) => state.handlers.delete(channel),
    },
    dialog: {
      showErrorBox: (title: string, message: string) => state.errorBoxes.push({ title, message }),
      showMessageBox: async () => ({ response: 0 }),
    },
    shell: { openPath: async () => '' },
  };
});

let dataDir: string;
let cleanup: () => Promise<void>;
const savedDataDir = process.env.RECAPITO_DATA_DIR;

beforeEach(async () => {
  ({ dir: dataDir, cleanup } = await makeTempDir());
  process.env.RECAPITO_DATA_DIR = dataDir;
  await fs.writeFile(join(dataDir, 'config.json'), JSON.stringify({ api: { port: 0 } }), { mode: 0o600 });
  Object.assign(fake.state, {
    lockGranted: true,
    backend: 'gnome_libsecret',
    appEvents: new Map(),
    quitCalls: 0,
    exitCodes: [],
    errorBoxes: [],
    handlers: new Map(),
    trays: [],
    windows: [],
    whenReadyCalls: 0,
  });
  vi.resetModules();
});

afterEach(async () => {
  if (savedDataDir === undefined) delete process.env.RECAPITO_DATA_DIR;
  else process.env.RECAPITO_DATA_DIR = savedDataDir;
  await cleanup();
});

function invoke(channel: string, url: string, ...args: unknown[]): Promise<unknown> {
  const handler = fake.state.handlers.get(channel);
  if (!handler) throw new Error(`no handler for ${channel}`);
  return Promise.resolve(handler({ senderFrame: { url, parent: null } }, ...args));
}

async function quitAndWait(): Promise<void> {
  fake.state.quitCalls = 0;
  const { app } = await import('electron');
  app.quit();
  // The first quit is held back until the agent has stopped, then quit runs again.
  await waitFor('the second quit after the agent stopped', () => fake.state.quitCalls >= 2, 10_000);
}

describe('main.ts', () => {
  it('starts the core with the OS secret store and wires window, bridge and tray to it', async () => {
    await import('../../src/main/main.ts');
    await waitFor('the tray', () => fake.state.trays.length === 1 && fake.state.windows.length === 1, 10_000);

    const apiUrl = (await fs.readFile(join(dataDir, 'api-url'), 'utf8')).trim();
    const token = (await fs.readFile(join(dataDir, 'api-token'), 'utf8')).trim();
    const origin = new URL(apiUrl).origin;

    // The window: hardened options, the CommonJS preload, the local UI with the token in the fragment.
    const window = fake.state.windows[0];
    expect(window?.options.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true });
    expect(String((window?.options.webPreferences as { preload: string }).preload)).toMatch(/[\\/]preload[\\/]preload\.cjs$/); // next to the compiled main (here: the sources)
    expect(window?.urls).toEqual([`${origin}/#token=${encodeURIComponent(token)}`]);
    expect(window?.shown).toBe(true);

    // The bridge answers the UI and refuses anyone else.
    const status = (await invoke('recapito:status', `${origin}/`)) as AgentStatus;
    expect(status.version).toBe('0.1.0');
    await expect(invoke('recapito:status', 'https://evil.example/')).rejects.toThrow(/only the local UI/);

    // The tray shows the real agent's state (no hub configured yet), in Italian.
    const tray = fake.state.trays[0];
    expect(tray?.tooltip).toBe('Recapito — Da configurare: nessun hub impostato');
    expect(String((tray?.image as { path: string }).path)).toMatch(/resources[\\/]tray[\\/]attention\.png$/);

    // Pause through the bridge; the tray follows at once and offers to resume.
    expect(((await invoke('recapito:pause', `${origin}/`)) as AgentStatus).paused).toBe(true);
    expect(tray?.tooltip).toBe('Recapito — Invio in pausa');
    const resume = tray?.menu.find((item) => item.label === 'Riprendi invio');
    expect(resume).toBeDefined();
    resume?.click?.();
    expect(((await invoke('recapito:status', `${origin}/`)) as AgentStatus).paused).toBe(false);

    // The hub key set through the local API goes to the OS-encrypted file, never the plain one.
    const response = await fetch(`${apiUrl}/api/v1/credentials`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ hubApiKey: 'rk_test_secret_123456' }),
    });
    expect(response.status).toBe(204);
    const plainFile = await fs.readFile(join(dataDir, 'secrets.json'), 'utf8').catch(() => null);
    expect(plainFile, 'the hub key went to the plain secrets.json: runAgent must use the `secrets` store it is given').toBeNull();
    const encrypted = await fs.readFile(join(dataDir, 'secrets.safe.json'), 'utf8');
    expect(encrypted).not.toContain('rk_test_secret_123456');
    expect(encrypted).toContain('electron-safeStorage');

    // A second launch only shows the window.
    for (const listener of fake.state.appEvents.get('second-instance') ?? []) listener({}, [], '');
    expect(fake.state.windows).toHaveLength(1);

    await quitAndWait();
    await expect(fetch(`${apiUrl}/api/v1/health`)).rejects.toThrow();
    expect(tray?.destroyed).toBe(true);
    expect(fake.state.handlers.size).toBe(0);
    const preferences = JSON.parse(await fs.readFile(join(dataDir, 'desktop.json'), 'utf8')) as { lastNotifiedSeq: number };
    expect(preferences.lastNotifiedSeq).toBeGreaterThan(0);
    expect(fake.state.exitCodes).toEqual([]);
  });

  it('refuses to start on a Linux desktop without a keyring, explaining why, and starts nothing', async () => {
    fake.state.backend = 'basic_text';
    const platform = Object.getOwnPropertyDescriptor(process, 'platform');
    Object.defineProperty(process, 'platform', { value: 'linux' });
    try {
      await import('../../src/main/main.ts');
      await waitFor('the exit', () => fake.state.exitCodes.length > 0, 10_000);
    } finally {
      if (platform) Object.defineProperty(process, 'platform', platform);
    }
    expect(fake.state.exitCodes).toEqual([1]);
    expect(fake.state.errorBoxes).toHaveLength(1);
    expect(fake.state.errorBoxes[0]?.title).toBe('Recapito non può partire');
    expect(fake.state.errorBoxes[0]?.message).toMatch(/portachiavi/);
    expect(fake.state.errorBoxes[0]?.message).toMatch(/basic_text/);
    await expect(fs.access(join(dataDir, 'api-url'))).rejects.toThrow();
    expect(fake.state.trays).toHaveLength(0);
  });

  it('leaves at once when another instance holds the lock', async () => {
    fake.state.lockGranted = false;
    await import('../../src/main/main.ts');
    expect(fake.state.quitCalls).toBe(1);
    expect(fake.state.whenReadyCalls).toBe(0);
    expect(fake.state.appEvents.size).toBe(0);
  });
});
