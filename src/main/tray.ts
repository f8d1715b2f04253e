// The tray icon: its picture and tooltip come from trayStateFor (pure, in tray-state.ts), its menu
// from trayMenuFor (pure, in tray-menu.ts). This file only talks to Electron.
import { Menu, Tray, nativeImage, type MenuItemConstructorOptions } from 'electron';
import type { AgentStatus } from '../contract/local-api.ts';
import type { Locale } from './i18n.ts';
import { trayMenuFor, type TrayAction, type TrayMenuEntry } from './tray-menu.ts';
import { trayStateFor, type TrayIcon } from './tray-state.ts';

export interface ShellTrayOptions {
  locale: Locale;
  /** A reseller's brand (docs/white-label.md) for the tooltip and the menu. */
  productName?: string;
  iconPath(icon: TrayIcon): string;
  onAction(action: TrayAction): void;
  /** Left click (Windows, Linux): open the window. */
  onClick(): void;
}

export interface TrayView {
  status: AgentStatus;
  startAtLogin: boolean;
  hasDropFolder: boolean;
}

export class ShellTray {
  private readonly options: ShellTrayOptions;
  private readonly tray: Tray;
  private shownIcon: TrayIcon | null = null;
  private shownMenuKey = '';

  constructor(options: ShellTrayOptions, initial: TrayView) {
    this.options = options;
    const state = trayStateFor(initial.status, options.locale, options.productName);
    this.tray = new Tray(nativeImage.createFromPath(options.iconPath(state.icon)));
    this.shownIcon = state.icon;
    this.tray.on('click', () => options.onClick());
    this.update(initial);
  }

  /** Cheap to call often: Electron is touched only when something visible changed. */
  update(view: TrayView): void {
    const state = trayStateFor(view.status, this.options.locale, this.options.productName);
    if (state.icon !== this.shownIcon) {
      this.tray.setImage(nativeImage.createFromPath(this.options.iconPath(state.icon)));
      this.shownIcon = state.icon;
    }
    const entries = trayMenuFor({
      ...view,
      state,
      locale: this.options.locale,
      ...(this.options.productName ? { productName: this.options.productName } : {}),
    });
    const menuKey = JSON.stringify(entries);
    if (menuKey !== this.shownMenuKey) {
      this.tray.setToolTip(state.tooltip);
      this.tray.setContextMenu(Menu.buildFromTemplate(entries.map((entry) => this.toMenuItem(entry))));
      this.shownMenuKey = menuKey;
    }
  }

  destroy(): void {
    this.tray.destroy();
  }

  private toMenuItem(entry: TrayMenuEntry): MenuItemConstructorOptions {
    switch (entry.kind) {
      case 'separator':
        return { type: 'separator' };
      case 'status':
        return { label: entry.label, enabled: false };
      case 'checkbox':
        return { label: entry.label, type: 'checkbox', checked: entry.checked, click: () => this.options.onAction(entry.action) };
      case 'action':
        return { label: entry.label, enabled: entry.enabled, click: () => this.options.onAction(entry.action) };
    }
  }
}
