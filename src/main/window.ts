// The app window: a sandboxed, context-isolated renderer that shows only the local UI served by
// the core (http://127.0.0.1:PORT/; the server sets the CSP). Every web contents is hardened the
// same way: no navigation away from the UI, no new windows, no permissions, no requests elsewhere.
import { BrowserWindow, type BrowserWindowConstructorOptions, type Session, type WebContents } from 'electron';
import type { Logger } from '../core/log/logger.ts';
import { isAllowedNavigation, isAllowedRequest } from './ui-origin.ts';

export { isAllowedNavigation } from './ui-origin.ts';

export interface WindowExtras {
  /** DevTools for development builds only. */
  devTools?: boolean;
  /** Window icon (Linux; Windows and macOS take the app's). */
  icon?: string;
  /** Until the page sets its own: the product's name (a reseller's brand, docs/white-label.md). */
  title?: string;
}

/** The BrowserWindow options; the security-relevant ones are spelled out even where they are Electron's defaults. */
export function secureWindowOptions(preloadPath: string, extras: WindowExtras = {}): BrowserWindowConstructorOptions {
  return {
    title: extras.title ?? 'Recapito',
    width: 1100,
    height: 760,
    minWidth: 720,
    minHeight: 480,
    show: false, // shown on ready-to-show, without a white flash
    autoHideMenuBar: true,
    backgroundColor: '#f5f7fa',
    ...(extras.icon ? { icon: extras.icon } : {}),
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      enableBlinkFeatures: '',
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: false,
      devTools: extras.devTools === true,
    },
  };
}

/**
 * The addresses the page may hand to the system (mail client, phone, browser): exactly the support
 * contact of the branding (docs/white-label.md), never any other.
 */
export interface ExternalLinks {
  allowed: readonly string[];
  open(url: string): void;
}

/** The support contact as the UI links to it (SupportFooter.tsx): mailto:, tel: and the https page. */
export function supportLinks(support: { email: string | null; phone: string | null; url: string | null }): string[] {
  return [
    ...(support.email ? [`mailto:${support.email}`] : []),
    ...(support.phone ? [`tel:${support.phone.replace(/[^+0-9]/g, '')}`] : []),
    ...(support.url?.startsWith('https://') ? [support.url] : []),
  ];
}

/** Locks a web contents to the UI origin. Applied to every web contents the app creates. */
export function hardenWebContents(contents: WebContents, uiOrigin: string, log: Pick<Logger, 'warn'>, external?: ExternalLinks): void {
  const openedOutside = (url: string): boolean => {
    if (!external?.allowed.includes(url)) return false;
    external.open(url);
    return true;
  };
  const refuseNavigation = (event: { url: string; preventDefault(): void }, kind: string): void => {
    if (isAllowedNavigation(event.url, uiOrigin)) return;
    event.preventDefault();
    if (openedOutside(event.url)) return;
    log.warn(`blocked ${kind}`, { url: event.url.slice(0, 200) });
  };
  contents.on('will-navigate', (event) => refuseNavigation(event, 'navigation'));
  contents.on('will-frame-navigate', (event) => refuseNavigation(event, 'frame navigation'));
  contents.on('will-redirect', (event) => refuseNavigation(event, 'redirect'));
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
    log.warn('blocked a <webview>');
  });
  contents.setWindowOpenHandler(({ url }) => {
    if (openedOutside(url)) return { action: 'deny' };
    log.warn('blocked a new window', { url: url.slice(0, 200) });
    return { action: 'deny' };
  });
}

const hardenedSessions = new WeakSet<Session>();

/** Denies every permission (camera, notifications from the page, geolocation, …) and every request off the UI origin. */
export function hardenSession(session: Session, uiOrigin: string, options: { devTools: boolean; log: Pick<Logger, 'warn'> }): void {
  if (hardenedSessions.has(session)) return;
  hardenedSessions.add(session);
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
  session.webRequest.onBeforeRequest((details, callback) => {
    const allowed = isAllowedRequest(details.url, uiOrigin, { devTools: options.devTools });
    if (!allowed) options.log.warn('blocked a request', { url: details.url.slice(0, 200) });
    callback({ cancel: !allowed });
  });
}

export interface MainWindowOptions {
  preloadPath: string;
  /** The page to load: the UI origin plus `/#token=…` so the UI can call the local API. */
  url: string;
  uiOrigin: string;
  devTools: boolean;
  icon?: string;
  title?: string;
  /** Closing the window only hides it (the agent keeps running in the tray) unless the app is quitting. */
  isQuitting(): boolean;
  log: Pick<Logger, 'warn' | 'error'>;
}

export function createMainWindow(options: MainWindowOptions): BrowserWindow {
  const window = new BrowserWindow(
    secureWindowOptions(options.preloadPath, {
      devTools: options.devTools,
      ...(options.icon ? { icon: options.icon } : {}),
      ...(options.title ? { title: options.title } : {}),
    }),
  );
  hardenSession(window.webContents.session, options.uiOrigin, { devTools: options.devTools, log: options.log });
  window.once('ready-to-show', () => window.show());
  // The window keeps the product's name (a reseller's brand, docs/white-label.md): the page's own
  // <title> would otherwise show the default name while the page loads.
  if (options.title) window.on('page-title-updated', (event) => event.preventDefault());
  window.on('close', (event) => {
    if (options.isQuitting()) return;
    event.preventDefault();
    window.hide();
  });
  // A crashed renderer is reloaded, but not in a loop: at most three times a minute.
  const crashes: number[] = [];
  window.webContents.on('render-process-gone', (_event, details) => {
    const now = Date.now();
    crashes.push(now);
    while (crashes.length > 0 && (crashes[0] ?? now) < now - 60_000) crashes.shift();
    const reload = crashes.length <= 3 && !window.isDestroyed();
    options.log.error(reload ? 'the window renderer stopped; reloading' : 'the window renderer keeps stopping; not reloading', {
      reason: details.reason,
      exitCode: details.exitCode,
    });
    if (reload) loadUi(window, options);
  });
  loadUi(window, options);
  return window;
}

/** Loads the UI; a page that does not load is logged (the window stays, empty, until the next reload). */
function loadUi(window: BrowserWindow, options: MainWindowOptions): void {
  window.loadURL(options.url).catch((error: unknown) => {
    options.log.error('cannot load the local UI', { error: error instanceof Error ? error.message : String(error) });
  });
}

/** Brings the window to the front, restoring it from the tray or the taskbar. */
export function showWindow(window: BrowserWindow): void {
  if (window.isMinimized()) window.restore();
  window.show();
  window.focus();
}
