// Wires a running agent to the desktop: tray, window, IPC bridge, notifications, start at login.
// The decisions live in pure modules (tray-state, tray-menu, notifications, ipc validation,
// ui-origin, drop-folder, login-item); this class only connects them to Electron.
import os from 'node:os';
import { app, dialog, ipcMain, Notification, shell, type BrowserWindow } from 'electron';
import type { RunningAgent } from '../core/host/run-agent.ts';
import type { Logger } from '../core/log/logger.ts';
import type { OpenDropFolderResult } from '../contract/bridge.ts';
import type { DesktopPreferencesStore } from './desktop-preferences.ts';
import { dropFolderFor } from './drop-folder.ts';
import { stringsFor, type Locale } from './i18n.ts';
import { registerIpcHandlers } from './ipc.ts';
import { applyStartAtLogin, type LoginItemHost } from './login-item.ts';
import { KeyExpiryNotifier, NotificationFeed } from './notification-feed.ts';
import type { ShellNotification } from './notifications.ts';
import type { ShellPaths } from './shell-paths.ts';
import type { TrayAction } from './tray-menu.ts';
import { ShellTray } from './tray.ts';
import { saveSupportBundle } from './support-bundle-save.ts';
import { uiOriginFrom } from './ui-origin.ts';
import { createMainWindow, hardenWebContents, showWindow, supportLinks } from './window.ts';

export interface DesktopShellOptions {
  running: RunningAgent;
  locale: Locale;
  paths: ShellPaths;
  preferences: DesktopPreferencesStore;
  /** No preferences file yet: apply the start-at-login default once. */
  firstRun: boolean;
  devTools: boolean;
  /** Started at login: stay in the tray. */
  startHidden: boolean;
  isQuitting(): boolean;
  requestQuit(): void;
}

const STATUS_REFRESH_MS = 3000;
const PROGRESS_SAVE_DELAY_MS = 10_000;
/** After a long break, older events than this many are not worth popping up. */
const MAX_CATCH_UP_EVENTS = 1000;

export class DesktopShell {
  private readonly options: DesktopShellOptions;
  private readonly log: Logger;
  private readonly uiOrigin: string;
  private readonly feed: NotificationFeed;
  private readonly keyExpiry: KeyExpiryNotifier;
  private tray: ShellTray | null = null;
  private window: BrowserWindow | null = null;
  private refreshTimer: NodeJS.Timeout | null = null;
  private progressTimer: NodeJS.Timeout | null = null;
  private unregisterIpc: (() => void) | null = null;
  private readonly liveNotifications = new Set<Notification>();

  constructor(options: DesktopShellOptions) {
    this.options = options;
    this.log = options.running.log.child('desktop');
    this.uiOrigin = uiOriginFrom(options.running.api.url);
    const { agent } = options.running;
    const lastSeq = agent.lastEventSeq();
    const remembered = options.preferences.get().lastNotifiedSeq;
    const afterSeq = remembered === null || remembered > lastSeq ? lastSeq : Math.max(remembered, lastSeq - MAX_CATCH_UP_EVENTS);
    this.feed = new NotificationFeed({
      source: {
        events: (since, timeoutSeconds, limit, signal) => agent.events(since, timeoutSeconds, limit, signal),
        documentName: (id) => agent.documentName(id),
      },
      afterSeq,
      locale: options.locale,
      productName: options.running.branding.view.productName,
      show: (notification) => this.notify(notification),
      onProgress: () => this.scheduleProgressSave(),
      onEvents: () => this.refresh(),
      log: this.log,
    });
    this.keyExpiry = new KeyExpiryNotifier({
      locale: options.locale,
      productName: options.running.branding.view.productName,
      lastShown: options.preferences.get().keyExpiryNotified,
      show: (notification) => this.notify(notification),
      onShown: (key) => {
        options.preferences.update({ keyExpiryNotified: key }).catch((error: unknown) => {
          this.log.warn('cannot save the desktop preferences', { error: describe(error) });
        });
      },
    });
  }

  start(): void {
    const { running, paths, locale } = this.options;
    // The branding's support contact may leave the app, to the mail client, the phone or the browser; nothing else.
    const external = { allowed: supportLinks(running.branding.view.support), open: (url: string) => void shell.openExternal(url).catch(() => undefined) };
    app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, this.uiOrigin, this.log, external));
    this.unregisterIpc = registerIpcHandlers(ipcMain, {
      uiOrigin: this.uiOrigin,
      log: this.log,
      handlers: {
        status: () => running.agent.status(),
        pause: () => this.pause(),
        resume: () => this.resume(),
        openDropFolder: (profileId) => this.openDropFolder(profileId),
      },
    });
    this.tray = new ShellTray(
      {
        locale,
        productName: running.branding.view.productName,
        iconPath: paths.trayIcon,
        onAction: (action) => this.onTrayAction(action),
        onClick: () => this.showWindow(),
      },
      this.trayView(),
    );
    this.refreshTimer = setInterval(() => this.refresh(), STATUS_REFRESH_MS);
    this.feed.start();
    void this.syncStartAtLogin(); // never rejects: a failure is logged
    if (!this.options.startHidden) this.showWindow();
  }

  showWindow(): void {
    if (!this.window || this.window.isDestroyed()) {
      this.window = createMainWindow({
        preloadPath: this.options.paths.preload,
        url: `${this.uiOrigin}/#token=${encodeURIComponent(this.options.running.token)}`,
        uiOrigin: this.uiOrigin,
        devTools: this.options.devTools,
        icon: this.options.paths.appIcon,
        title: this.options.running.branding.view.productName,
        isQuitting: () => this.options.isQuitting(),
        log: this.log,
      });
      return; // shown on ready-to-show
    }
    showWindow(this.window);
  }

  /** Stops everything the shell started; the caller then stops the agent. */
  async stop(): Promise<void> {
    if (this.refreshTimer) clearInterval(this.refreshTimer);
    if (this.progressTimer) clearTimeout(this.progressTimer);
    await this.feed.stop();
    await this.options.preferences.update({ lastNotifiedSeq: this.feed.lastSeq() }).catch((error: unknown) => {
      this.log.warn('cannot save the desktop preferences', { error: describe(error) });
    });
    this.unregisterIpc?.();
    this.tray?.destroy();
    this.tray = null;
  }

  private trayView() {
    const { agent } = this.options.running;
    return {
      status: agent.status(),
      startAtLogin: this.options.preferences.get().startAtLogin,
      hasDropFolder: dropFolderFor(agent.settings, null).ok,
    };
  }

  private refresh(): void {
    try {
      const view = this.trayView();
      this.tray?.update(view);
      // The key's expiry warned once at 30 days and once when it expires (docs/enrollment.md).
      this.keyExpiry.check(view.status.hub, Date.now());
    } catch (error) {
      this.log.warn('cannot refresh the tray', { error: describe(error) });
    }
  }

  private pause() {
    this.options.running.agent.pause();
    this.refresh();
    return this.options.running.agent.status();
  }

  private resume() {
    this.options.running.agent.resume();
    this.refresh();
    return this.options.running.agent.status();
  }

  private async openDropFolder(profileId: string | null): Promise<OpenDropFolderResult> {
    const target = dropFolderFor(this.options.running.agent.settings, profileId);
    if (!target.ok) return target;
    const failure = await shell.openPath(target.path);
    return failure === '' ? target : { ok: false, reason: `Cannot open ${target.path}: ${failure}` };
  }

  private onTrayAction(action: TrayAction): void {
    switch (action) {
      case 'open':
        this.showWindow();
        return;
      case 'pause':
        this.pause();
        return;
      case 'resume':
        this.resume();
        return;
      case 'open-drop-folder':
        this.openDropFolderFromTray().catch((error: unknown) => {
          this.log.warn('cannot open the drop folder', { error: describe(error) });
        });
        return;
      case 'toggle-start-at-login':
        void this.setStartAtLogin(!this.options.preferences.get().startAtLogin); // never rejects: a failure is logged
        return;
      case 'support-bundle':
        void this.saveSupportBundle(); // never rejects: a failure is shown in a dialog
        return;
      case 'quit':
        this.options.requestQuit();
        return;
    }
  }

  /** The tray's "open drop folder": a folder that cannot be opened is said in a dialog. */
  private async openDropFolderFromTray(): Promise<void> {
    const result = await this.openDropFolder(null);
    if (!result.ok)
      await dialog.showMessageBox({
        type: 'warning',
        title: stringsFor(this.options.locale, this.options.running.branding.view.productName).dialogs.dropFolderTitle,
        message: result.reason,
      });
  }

  /** The tray's "support bundle": made by the running agent, saved where the person says (Downloads proposed). */
  private async saveSupportBundle(): Promise<void> {
    const text = stringsFor(this.options.locale).dialogs;
    const result = await saveSupportBundle(
      {
        make: () => this.options.running.supportBundle(),
        downloadsDir: () => app.getPath('downloads'),
        askWhere: async (defaultPath) => {
          const answer = await dialog.showSaveDialog({ title: text.supportBundleTitle, defaultPath, filters: [{ name: 'ZIP', extensions: ['zip'] }] });
          return answer.canceled || !answer.filePath ? null : answer.filePath;
        },
        reveal: (file) => shell.showItemInFolder(file),
        showError: async (message) => {
          await dialog.showMessageBox({ type: 'error', title: text.supportBundleTitle, message }).catch(() => undefined);
        },
      },
      text.supportBundleFailed,
    );
    if ('saved' in result) this.log.info('support bundle saved', { file: result.saved });
    if ('failed' in result) this.log.warn('support bundle not made', { error: result.failed });
  }

  private async setStartAtLogin(enabled: boolean): Promise<void> {
    try {
      await this.options.preferences.update({ startAtLogin: enabled });
      await applyStartAtLogin({ enabled }, this.loginHost());
    } catch (error) {
      this.log.warn('cannot change start at login', { error: describe(error) });
    }
    this.refresh();
  }

  /** First run: apply the default. Linux: rewrite the entry, since an AppImage may have moved. */
  private async syncStartAtLogin(): Promise<void> {
    const enabled = this.options.preferences.get().startAtLogin;
    if (!this.options.firstRun && !(process.platform === 'linux' && enabled)) return;
    try {
      await applyStartAtLogin({ enabled }, this.loginHost());
    } catch (error) {
      this.log.warn('cannot set start at login', { error: describe(error) });
    }
  }

  private loginHost(): LoginItemHost {
    return {
      platform: process.platform,
      setLoginItemSettings: (settings) => app.setLoginItemSettings(settings),
      execPath: process.execPath,
      env: process.env,
      homeDir: os.homedir(),
    };
  }

  private notify(notification: ShellNotification): void {
    if (!this.options.preferences.get().notifications || !Notification.isSupported()) return;
    const popup = new Notification({ title: notification.title, body: notification.body, icon: this.options.paths.appIcon });
    // Held until closed: a notification that is garbage-collected loses its click handler.
    this.liveNotifications.add(popup);
    const release = (): void => void this.liveNotifications.delete(popup);
    popup.on('click', () => {
      release();
      this.showWindow();
    });
    popup.on('close', release);
    popup.show();
  }

  private scheduleProgressSave(): void {
    if (this.progressTimer) return;
    this.progressTimer = setTimeout(() => {
      this.progressTimer = null;
      this.options.preferences.update({ lastNotifiedSeq: this.feed.lastSeq() }).catch((error: unknown) => {
        this.log.warn('cannot save the desktop preferences', { error: describe(error) });
      });
    }, PROGRESS_SAVE_DELAY_MS);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
