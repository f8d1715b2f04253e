// The window's security: its options, the navigation and request predicates, and the hardening
// applied to a web contents and its session (Electron is mocked: the binary cannot run here).
import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => ({ BrowserWindow: class {} }));

const { hardenSession, hardenWebContents, isAllowedNavigation, secureWindowOptions } = await import('../../src/main/window.ts');
const { isAllowedRequest, originOf, uiOriginFrom } = await import('../../src/main/ui-origin.ts');

const UI = 'http://127.0.0.1:7420';

describe('secureWindowOptions', () => {
  it('isolates, sandboxes and strips Node from the renderer', () => {
    const options = secureWindowOptions('/app/dist/preload/preload.cjs');
    expect(options.webPreferences).toMatchObject({
      preload: '/app/dist/preload/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      devTools: false,
    });
    expect(options.show).toBe(false);
  });

  it('enables DevTools only when asked (development builds)', () => {
    expect(secureWindowOptions('/p.cjs', { devTools: true }).webPreferences?.devTools).toBe(true);
    expect(secureWindowOptions('/p.cjs', { icon: '/i.png' }).icon).toBe('/i.png');
  });
});

describe('uiOriginFrom', () => {
  it('accepts the loopback local API and gives its origin', () => {
    expect(uiOriginFrom('http://127.0.0.1:7420')).toBe(UI);
    expect(uiOriginFrom('http://[::1]:7420/')).toBe('http://[::1]:7420');
    expect(uiOriginFrom('http://localhost:9000')).toBe('http://localhost:9000');
  });

  it('refuses anything remote or not plain http', () => {
    expect(() => uiOriginFrom('https://127.0.0.1:7420')).toThrow(/loopback/);
    expect(() => uiOriginFrom('http://192.168.1.10:7420')).toThrow(/loopback/);
    expect(() => uiOriginFrom('http://127.0.0.1.evil.com:7420')).toThrow(/loopback/);
    expect(() => uiOriginFrom('not a url')).toThrow(/not a valid URL/);
  });
});

describe('isAllowedNavigation', () => {
  it.each([
    [`${UI}/`, true],
    [`${UI}/documents/abc?state=failed#token=x`, true],
    ['http://127.0.0.1:7421/', false], // another port is another program
    ['http://localhost:7420/', false], // same server, different origin: no
    ['https://127.0.0.1:7420/', false],
    ['file:///etc/passwd', false],
    ['https://evil.example/', false],
    ['javascript:alert(1)', false],
    ['data:text/html,<script>alert(1)</script>', false],
    ['http://user:pass@127.0.0.1:7420/', false],
    ['about:blank', false],
    ['', false],
    ['not a url', false],
  ])('%s → %s', (url, allowed) => {
    expect(isAllowedNavigation(url, UI)).toBe(allowed);
  });
});

describe('isAllowedRequest', () => {
  it.each([
    [`${UI}/api/v1/status`, true],
    [`${UI}/assets/app.js`, true],
    ['ws://127.0.0.1:7420/api/v1/events', true],
    [`blob:${UI}/5f0c-1`, true],
    ['data:image/png;base64,AAAA', true],
    ['ws://127.0.0.1:9999/', false],
    ['blob:https://evil.example/1', false],
    ['https://fonts.googleapis.com/css', false],
    ['http://127.0.0.1:8080/', false],
    ['file:///home/user/.ssh/id_rsa', false],
    ['devtools://devtools/bundled/inspector.html', false],
  ])('%s → %s', (url, allowed) => {
    expect(isAllowedRequest(url, UI)).toBe(allowed);
  });

  it('lets DevTools load only when they are enabled', () => {
    expect(isAllowedRequest('devtools://devtools/bundled/inspector.html', UI, { devTools: true })).toBe(true);
  });

  it('gives the origin of a URL or null when it has none', () => {
    expect(originOf(`${UI}/x`)).toBe(UI);
    expect(originOf('file:///x')).toBeNull();
    expect(originOf(null)).toBeNull();
    expect(originOf('::')).toBeNull();
  });
});

/** A web contents as far as hardenWebContents touches it. */
class FakeWebContents extends EventEmitter {
  openHandler: ((details: { url: string }) => { action: string }) | null = null;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.openHandler = handler;
  }
}

function navigationEvent(url: string) {
  return {
    url,
    prevented: false,
    preventDefault() {
      this.prevented = true;
    },
  };
}

describe('hardenWebContents', () => {
  function hardened() {
    const contents = new FakeWebContents();
    const warnings: string[] = [];
    hardenWebContents(contents as never, UI, { warn: (message) => warnings.push(message) });
    return { contents, warnings };
  }

  it('lets the UI navigate within itself', () => {
    const { contents } = hardened();
    const inside = navigationEvent(`${UI}/documents`);
    contents.emit('will-navigate', inside);
    expect(inside.prevented).toBe(false);
  });

  it('blocks navigations, frame navigations and redirects anywhere else', () => {
    const { contents, warnings } = hardened();
    for (const [name, url] of [
      ['will-navigate', 'https://evil.example/'],
      ['will-frame-navigate', 'file:///etc/passwd'],
      ['will-redirect', 'http://127.0.0.1:7421/'],
    ] as const) {
      const e = navigationEvent(url);
      contents.emit(name, e);
      expect(e.prevented, `${name} ${url}`).toBe(true);
    }
    expect(warnings).toHaveLength(3);
  });

  it('denies every new window and every <webview>', () => {
    const { contents } = hardened();
    expect(contents.openHandler?.({ url: `${UI}/popup` })).toEqual({ action: 'deny' });
    expect(contents.openHandler?.({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    const attach = navigationEvent('');
    contents.emit('will-attach-webview', attach);
    expect(attach.prevented).toBe(true);
  });
});

describe('hardenSession', () => {
  type PermissionRequestHandler = (wc: unknown, permission: string, callback: (granted: boolean) => void) => void;
  type BeforeRequestHandler = (details: { url: string }, callback: (response: { cancel: boolean }) => void) => void;

  interface FakeSession {
    requestHandler: PermissionRequestHandler | null;
    checkHandler: ((...args: unknown[]) => boolean) | null;
    deviceHandler: ((...args: unknown[]) => boolean) | null;
    beforeRequest: BeforeRequestHandler | null;
  }

  function fakeSession() {
    const recorded: FakeSession = { requestHandler: null, checkHandler: null, deviceHandler: null, beforeRequest: null };
    const session = {
      setPermissionRequestHandler: (handler: PermissionRequestHandler) => {
        recorded.requestHandler = handler;
      },
      setPermissionCheckHandler: (handler: (...args: unknown[]) => boolean) => {
        recorded.checkHandler = handler;
      },
      setDevicePermissionHandler: (handler: (...args: unknown[]) => boolean) => {
        recorded.deviceHandler = handler;
      },
      webRequest: {
        onBeforeRequest: (handler: BeforeRequestHandler) => {
          recorded.beforeRequest = handler;
        },
      },
    };
    return { session, recorded };
  }

  it('denies every permission request and check', () => {
    const { session, recorded } = fakeSession();
    hardenSession(session as never, UI, { devTools: false, log: { warn: () => undefined } });
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal']) {
      let granted: boolean | null = null;
      recorded.requestHandler?.({}, permission, (answer) => {
        granted = answer;
      });
      expect(granted, permission).toBe(false);
    }
    expect(recorded.checkHandler?.({}, 'media', UI, {})).toBe(false);
    expect(recorded.deviceHandler?.({})).toBe(false);
  });

  it('cancels requests off the UI origin and lets the UI through', () => {
    const { session, recorded } = fakeSession();
    hardenSession(session as never, UI, { devTools: false, log: { warn: () => undefined } });
    const decide = (url: string) => {
      let cancel: boolean | null = null;
      recorded.beforeRequest?.({ url }, (response) => {
        cancel = response.cancel;
      });
      return cancel;
    };
    expect(decide(`${UI}/api/v1/status`)).toBe(false);
    expect(decide('https://tracker.example/pixel.gif')).toBe(true);
  });
});
