// The desktop shell under a reseller's brand (docs/white-label.md): every shell text that names the
// product says the brand (tray tooltip and menu, notifications, dialogs), the window's title, the
// branded icons, and the support contact as the only addresses the window may hand to the system.
// Electron is mocked: the binary cannot run here.
import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import type { AgentStatus } from '../../src/contract/local-api.ts';
import { fakeAgentStatus } from '../helpers/agent-status.ts';

/** A BrowserWindow as far as createMainWindow touches it. */
class FakeWindow extends EventEmitter {
  static last: FakeWindow | null = null;
  readonly webContents = Object.assign(new EventEmitter(), {
    session: {
      setPermissionRequestHandler: () => undefined,
      setPermissionCheckHandler: () => undefined,
      setDevicePermissionHandler: () => undefined,
      webRequest: { onBeforeRequest: () => undefined },
    },
  });
  readonly options: { title?: string };
  constructor(options: { title?: string }) {
    super();
    this.options = options;
    FakeWindow.last = this;
  }
  loadURL(): Promise<void> {
    return Promise.resolve();
  }
}

vi.mock('electron', () => ({ BrowserWindow: FakeWindow }));

const { stringsFor } = await import('../../src/main/i18n.ts');
const { trayStateFor, MAX_TOOLTIP_LENGTH } = await import('../../src/main/tray-state.ts');
const { trayMenuFor } = await import('../../src/main/tray-menu.ts');
const { coalesceNotifications, notificationFor } = await import('../../src/main/notifications.ts');
const { describeStartupError } = await import('../../src/main/startup-error.ts');
const { createMainWindow, hardenWebContents, secureWindowOptions, supportLinks } = await import('../../src/main/window.ts');
const { shellPaths } = await import('../../src/main/shell-paths.ts');

const BRAND = 'Rossi Fatture Connect';

function status(counts: AgentStatus['counts'] = {}): AgentStatus {
  return fakeAgentStatus({ counts });
}

/** Every text of a strings table, functions called with sample arguments. */
function texts(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (typeof value === 'function') return texts((value as (...args: unknown[]) => unknown)(2, 'x'));
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(texts);
  return [];
}

describe('shell texts under a brand', () => {
  it('say the brand wherever they said Recapito, in both languages, and leave the command name alone', () => {
    for (const locale of ['it', 'en'] as const) {
      const plain = texts(stringsFor(locale));
      expect(plain.some((text) => text.includes('Recapito'))).toBe(true);
      const branded = texts(stringsFor(locale, BRAND));
      expect(branded.filter((text) => /\bRecapito\b/.test(text))).toEqual([]);
      expect(branded.length).toBe(plain.length);
      expect(stringsFor(locale, BRAND).appName).toBe(BRAND);
      // "recapito serve" is a command, not the product's name.
      expect(stringsFor(locale, BRAND).dialogs.noKeyringIntro).toContain('recapito serve');
    }
    expect(stringsFor('it', BRAND).menu.open).toBe(`Apri ${BRAND}`);
    expect(stringsFor('en', BRAND).menu.open).toBe(`Open ${BRAND}`);
    expect(stringsFor('it').menu.open).toBe('Apri Recapito');
  });

  it('head the tray tooltip and name the menu with the brand, within the tooltip limit', () => {
    const state = trayStateFor(status({ sending: 2 }), 'it', BRAND);
    expect(state.tooltip).toBe(`${BRAND} — 2 in invio`);
    expect(trayStateFor(status(), 'en', BRAND).tooltip).toBe(`${BRAND} — everything delivered`);
    expect(trayStateFor(status(), 'en').tooltip).toBe('Recapito — everything delivered');
    const long = trayStateFor(status({ held: 3 }), 'it', 'R'.repeat(40));
    expect(long.tooltip.length).toBeLessThanOrEqual(MAX_TOOLTIP_LENGTH);
    const menu = trayMenuFor({ status: status(), state, locale: 'it', startAtLogin: false, hasDropFolder: true, productName: BRAND });
    expect(menu).toContainEqual({ kind: 'action', action: 'open', label: `Apri ${BRAND}`, enabled: true });
    expect(JSON.stringify(menu)).not.toContain('Recapito');
  });

  it('name the brand in the notifications that name the product', () => {
    const events = [1, 2, 3, 4].map((seq) => ({
      seq,
      at: '2026-01-01T00:00:00Z',
      type: 'document.hub_status',
      documentId: `doc-${seq}`,
      state: 'rejected' as const,
      message: 'SDI 00404',
    }));
    const one = notificationFor(events[0]!, 'a.xml', 'it', BRAND);
    expect(one).toMatchObject({ title: 'Fattura scartata dallo SDI', body: 'a.xml: SDI 00404' });
    const many = events.map((event) => notificationFor(event, null, 'it', BRAND)!);
    expect(coalesceNotifications(many, 'it', 3, BRAND)).toEqual([
      { title: '4 documenti richiedono attenzione', body: `Apri ${BRAND} per vedere i dettagli.`, documentId: null, key: 'summary' },
    ]);
    expect(coalesceNotifications(many, 'en', 3, BRAND)[0]?.body).toBe(`Open ${BRAND} to see the details.`);
    expect(coalesceNotifications(many, 'it')[0]?.body).toBe('Apri Recapito per vedere i dettagli.');
  });

  it('title the startup error dialog with the brand', () => {
    const text = describeStartupError(new Error('boom'), 'it', BRAND);
    expect(text.title).toBe(`${BRAND} non può partire`);
    expect(text.message).toBe(`${BRAND} non è riuscito ad avviare l'agente.\n\nboom`);
  });
});

describe('window and icons under a brand', () => {
  it('titles the window with the brand (Recapito by default), and the loading page does not rename it', () => {
    expect(secureWindowOptions('/p.cjs', { title: BRAND }).title).toBe(BRAND);
    expect(secureWindowOptions('/p.cjs').title).toBe('Recapito');
    const log = { warn: () => undefined, error: () => undefined };
    const options = { preloadPath: '/p.cjs', url: 'http://127.0.0.1:7420/', uiOrigin: 'http://127.0.0.1:7420', devTools: false, isQuitting: () => false, log };
    createMainWindow({ ...options, title: BRAND });
    const window = FakeWindow.last!;
    expect(window.options.title).toBe(BRAND);
    const retitle = {
      prevented: false,
      preventDefault() {
        this.prevented = true;
      },
    };
    window.emit('page-title-updated', retitle, 'Recapito');
    expect(retitle.prevented).toBe(true);
  });

  it("takes the brand's app and tray icons instead of the app's own", () => {
    const layout = { isPackaged: true, resourcesPath: '/opt/R/resources', mainDir: '/opt/R/resources/app.asar/dist/main' };
    const trayIcons = { ok: '/b/ok.png', working: '/b/working.png', attention: '/b/attention.png', error: '/b/error.png' };
    const branded = shellPaths(layout, { appIcon: '/b/icon.png', trayIcons });
    expect(branded.appIcon).toBe('/b/icon.png');
    expect(branded.trayIcon('attention')).toBe('/b/attention.png');
    const plain = shellPaths(layout, { appIcon: null, trayIcons: null });
    expect(plain.appIcon).toBe('/opt/R/resources/icon.png');
    expect(plain.trayIcon('ok')).toBe('/opt/R/resources/tray/ok.png');
  });

  it('hands exactly the support contact to the system, and blocks every other address', () => {
    const allowed = supportLinks({ email: 'help@rossi.example', phone: '+39 02 1234 5678', url: 'https://rossi.example/help' });
    expect(allowed).toEqual(['mailto:help@rossi.example', 'tel:+390212345678', 'https://rossi.example/help']);
    expect(supportLinks({ email: null, phone: null, url: null })).toEqual([]);

    const contents = new FakeWebContents();
    const opened: string[] = [];
    const warnings: string[] = [];
    hardenWebContents(contents as never, 'http://127.0.0.1:7420', { warn: (message) => warnings.push(message) }, { allowed, open: (url) => opened.push(url) });
    expect(contents.openHandler?.({ url: 'https://rossi.example/help' })).toEqual({ action: 'deny' });
    const mail = navigationEvent('mailto:help@rossi.example');
    contents.emit('will-navigate', mail);
    expect(mail.prevented).toBe(true);
    expect(opened).toEqual(['https://rossi.example/help', 'mailto:help@rossi.example']);
    expect(warnings).toEqual([]);

    for (const url of ['https://rossi.example/help/../evil', 'https://evil.example/', 'mailto:someone@else.example', 'file:///etc/passwd']) {
      expect(contents.openHandler?.({ url })).toEqual({ action: 'deny' });
      const navigation = navigationEvent(url);
      contents.emit('will-navigate', navigation);
      expect(navigation.prevented).toBe(true);
    }
    expect(opened).toHaveLength(2);
    expect(warnings).toHaveLength(8);
  });
});

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
