// The IPC bridge: the validator (sender origin, frame, channel, arguments), the handlers it guards,
// and the real preload compiled to CommonJS and run the way Electron runs a sandboxed preload,
// wired to the real main-process handlers through a fake ipcMain.
import { readFileSync } from 'node:fs';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { compilePreload } from '../../build/compile-preload.ts';
import type { AgentStatus } from '../../src/contract/local-api.ts';
import { IPC_CHANNELS, registerIpcHandlers, validateIpcCall, type IpcHandlers } from '../../src/main/ipc.ts';
import type { RecapitoBridge } from '../../src/contract/bridge.ts';

const UI = 'http://127.0.0.1:7420';
const TOP = { url: `${UI}/documents`, isMainFrame: true };

describe('validateIpcCall', () => {
  it('accepts each channel from the UI top frame with the right arguments', () => {
    expect(validateIpcCall('recapito:status', TOP, [], UI)).toEqual({ ok: true, call: { channel: 'recapito:status' } });
    expect(validateIpcCall('recapito:pause', TOP, [], UI)).toEqual({ ok: true, call: { channel: 'recapito:pause' } });
    expect(validateIpcCall('recapito:resume', TOP, [], UI)).toEqual({ ok: true, call: { channel: 'recapito:resume' } });
    expect(validateIpcCall('recapito:open-drop-folder', TOP, [], UI)).toEqual({ ok: true, call: { channel: 'recapito:open-drop-folder', profileId: null } });
    expect(validateIpcCall('recapito:open-drop-folder', TOP, ['main-office'], UI)).toEqual({
      ok: true,
      call: { channel: 'recapito:open-drop-folder', profileId: 'main-office' },
    });
  });

  it.each([
    ['another port', { url: 'http://127.0.0.1:7421/', isMainFrame: true }, /came from http:\/\/127\.0\.0\.1:7421/],
    ['a remote page', { url: 'https://evil.example/x', isMainFrame: true }, /came from https:\/\/evil\.example/],
    ['localhost instead of 127.0.0.1', { url: 'http://localhost:7420/', isMainFrame: true }, /only the local UI/],
    ['a file', { url: 'file:///tmp/x.html', isMainFrame: true }, /gone or has no origin/],
    ['a data URL', { url: 'data:text/html,hi', isMainFrame: true }, /gone or has no origin/],
    ['a destroyed frame', { url: null, isMainFrame: false }, /gone/],
    ['a sub-frame of the UI', { url: `${UI}/frame`, isMainFrame: false }, /sub-frame/],
  ])('refuses a sender that is %s', (_what, sender, reason) => {
    const result = validateIpcCall('recapito:pause', sender, [], UI);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });

  it.each([
    ['status with an argument', 'recapito:status', [1]],
    ['pause with an object', 'recapito:pause', [{ by: 'x' }]],
    ['a profile id that is not a string', 'recapito:open-drop-folder', [42]],
    ['a profile id that is a path', 'recapito:open-drop-folder', ['../../etc']],
    ['a profile id too long', 'recapito:open-drop-folder', ['a'.repeat(41)]],
    ['two profile ids', 'recapito:open-drop-folder', ['a', 'b']],
  ])('refuses bad arguments: %s', (_what, channel, args) => {
    const result = validateIpcCall(channel, TOP, args, UI);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(/bad arguments/);
  });

  it('refuses unknown channels, including inherited property names', () => {
    for (const channel of ['recapito:quit', 'toString', '__proto__', '']) {
      const result = validateIpcCall(channel, TOP, [], UI);
      expect(result.ok, channel).toBe(false);
    }
  });
});

/** ipcMain as far as registerIpcHandlers uses it, plus a way to invoke like a renderer would. */
type InvokeHandler = (event: never, ...args: unknown[]) => unknown;

class FakeIpcMain {
  readonly handlers = new Map<string, InvokeHandler>();
  handle(channel: string, handler: InvokeHandler): void {
    if (this.handlers.has(channel)) throw new Error(`second handler for ${channel}`);
    this.handlers.set(channel, handler);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  async invoke(frame: { url: string; parent: unknown } | null, channel: string, ...args: unknown[]): Promise<unknown> {
    const handler = this.handlers.get(channel);
    if (!handler) throw new Error(`No handler registered for '${channel}'`);
    return handler({ senderFrame: frame } as never, ...args);
  }
}

function fakeStatus(paused: boolean): AgentStatus {
  return {
    version: '0.1.0',
    startedAt: 'x',
    paused,
    hold: null,
    counts: {},
    services: [],
    watchers: [],
    printers: [],
    hub: {
      transport: 'https',
      url: '',
      reachable: null,
      lastContactAt: null,
      lastError: null,
      lastSyncAt: null,
      credits: null,
      keyExpiresAt: null,
      unreachableSince: null,
      nextTryAt: null,
      keySource: 'store',
    },
  };
}

function recordingHandlers() {
  const calls: string[] = [];
  let paused = false;
  const handlers: IpcHandlers = {
    status: () => {
      calls.push('status');
      return fakeStatus(paused);
    },
    pause: () => {
      calls.push('pause');
      paused = true;
      return fakeStatus(paused);
    },
    resume: () => {
      calls.push('resume');
      paused = false;
      return fakeStatus(paused);
    },
    openDropFolder: async (profileId) => {
      calls.push(`open:${profileId}`);
      return { ok: true, path: `/drop/${profileId ?? 'first'}` };
    },
  };
  return { calls, handlers };
}

describe('registerIpcHandlers', () => {
  it('dispatches valid calls and refuses the others before any handler runs', async () => {
    const ipcMain = new FakeIpcMain();
    const { calls, handlers } = recordingHandlers();
    const warnings: string[] = [];
    registerIpcHandlers(ipcMain, { uiOrigin: UI, handlers, log: { warn: (_m, meta) => warnings.push(String(meta?.reason)) } });
    const top = { url: `${UI}/`, parent: null };

    expect(await ipcMain.invoke(top, IPC_CHANNELS.pause)).toMatchObject({ paused: true });
    expect(await ipcMain.invoke(top, IPC_CHANNELS.openDropFolder, 'main')).toEqual({ ok: true, path: '/drop/main' });

    await expect(ipcMain.invoke({ url: 'https://evil.example/', parent: null }, IPC_CHANNELS.resume)).rejects.toThrow(/only the local UI/);
    await expect(ipcMain.invoke({ url: `${UI}/`, parent: {} }, IPC_CHANNELS.resume)).rejects.toThrow(/sub-frame/);
    await expect(ipcMain.invoke(null, IPC_CHANNELS.resume)).rejects.toThrow(/gone/);
    await expect(ipcMain.invoke(top, IPC_CHANNELS.openDropFolder, { path: '/etc' })).rejects.toThrow(/bad arguments/);

    expect(calls).toEqual(['pause', 'open:main']);
    expect(warnings).toHaveLength(4);
  });

  it('treats a frame that throws on access (destroyed mid-call) as gone', async () => {
    const ipcMain = new FakeIpcMain();
    const { calls, handlers } = recordingHandlers();
    registerIpcHandlers(ipcMain, { uiOrigin: UI, handlers, log: { warn: () => undefined } });
    const handler = ipcMain.handlers.get(IPC_CHANNELS.status);
    const destroyed = {
      get senderFrame(): never {
        throw new Error('Render frame was disposed before WebFrameMain could be accessed');
      },
    };
    await expect(Promise.resolve().then(() => handler?.(destroyed as never))).rejects.toThrow(/gone/);
    expect(calls).toEqual([]);
  });

  it('removes its handlers', () => {
    const ipcMain = new FakeIpcMain();
    const unregister = registerIpcHandlers(ipcMain, { uiOrigin: UI, handlers: recordingHandlers().handlers, log: { warn: () => undefined } });
    expect([...ipcMain.handlers.keys()].sort()).toEqual(Object.values(IPC_CHANNELS).sort());
    unregister();
    expect(ipcMain.handlers.size).toBe(0);
  });
});

describe('the sandboxed preload', () => {
  const source = readFileSync(new URL('../../src/preload/preload.ts', import.meta.url), 'utf8');

  /** Runs the compiled preload as Electron's sandboxed renderer does: one wrapped function, a `require` that knows only electron. */
  function runPreload(ipcRenderer: { invoke(channel: string, ...args: unknown[]): Promise<unknown> }) {
    const exposed = new Map<string, unknown>();
    const electron = {
      contextBridge: { exposeInMainWorld: (name: string, api: unknown) => exposed.set(name, api) },
      ipcRenderer,
    };
    const preloadRequire = (name: string): unknown => {
      if (name === 'electron') return electron;
      throw new Error(`module not found: ${name}`);
    };
    const wrapper = `(function(require, process, Buffer, global, setImmediate, clearImmediate, exports, module) {\n${compilePreload(source)}\n})`;
    const preloadFn = runInNewContext(wrapper, {}) as (...args: unknown[]) => void;
    const exports = {};
    preloadFn(preloadRequire, {}, undefined, {}, undefined, undefined, exports, { exports });
    return exposed;
  }

  it('compiles to CommonJS that loads nothing but electron', () => {
    const output = compilePreload(source);
    expect(output).toContain('require("electron")');
    expect(output).not.toMatch(/^\s*import\s/m);
    expect(() => compilePreload(`import { readFileSync } from 'node:fs';\nreadFileSync('x');`)).toThrow(/node:fs.*sandboxed preload/);
    expect(() => compilePreload(`import { x } from './helper.ts';\nconsole.log(x);`)).toThrow(/\.\/helper/);
  });

  it('exposes exactly the four bridge functions as window.recapito, frozen, and no ipcRenderer', () => {
    const exposed = runPreload({ invoke: async () => undefined });
    expect([...exposed.keys()]).toEqual(['recapito']);
    const bridge = exposed.get('recapito') as Record<string, unknown>;
    expect(Object.keys(bridge).sort()).toEqual(['openDropFolder', 'pause', 'resume', 'status']);
    expect(Object.values(bridge).every((value) => typeof value === 'function')).toBe(true);
    expect(Object.isFrozen(bridge)).toBe(true);
  });

  it('talks to the main-process handlers on the same channels, end to end', async () => {
    const ipcMain = new FakeIpcMain();
    const { calls, handlers } = recordingHandlers();
    registerIpcHandlers(ipcMain, { uiOrigin: UI, handlers, log: { warn: () => undefined } });
    const uiFrame = { url: `${UI}/`, parent: null };
    const bridge = runPreload({ invoke: (channel, ...args) => ipcMain.invoke(uiFrame, channel, ...args) }).get('recapito') as RecapitoBridge;

    expect((await bridge.status()).paused).toBe(false);
    expect((await bridge.pause()).paused).toBe(true);
    expect((await bridge.resume()).paused).toBe(false);
    expect(await bridge.openDropFolder()).toEqual({ ok: true, path: '/drop/first' });
    expect(await bridge.openDropFolder('acme')).toEqual({ ok: true, path: '/drop/acme' });
    // Extra arguments from the page never travel.
    expect(await (bridge.openDropFolder as (...args: unknown[]) => Promise<unknown>)('acme', { evil: true })).toEqual({ ok: true, path: '/drop/acme' });
    await expect(bridge.openDropFolder('../etc')).rejects.toThrow(/bad arguments/);
    expect(calls).toEqual(['status', 'pause', 'resume', 'open:null', 'open:acme', 'open:acme']);
  });
});
