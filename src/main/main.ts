// Electron entry point: one instance per user, the OS secret store, the agent core, the desktop
// shell, an orderly quit. Glue only; the logic is in the modules it calls.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, dialog, safeStorage } from 'electron';
import type { RunningAgent } from '../core/host/run-agent.ts';
import { defaultDataDir } from '../core/config/data-dir.ts';
import { DESKTOP_PREFERENCES_FILE_NAME, DesktopPreferencesStore, loadDesktopPreferences } from './desktop-preferences.ts';
import { DesktopShell } from './desktop-shell.ts';
import { localeFrom } from './i18n.ts';
import { HIDDEN_FLAG } from './login-item.ts';
import { SAFE_SECRETS_FILE_NAME, createSafeStorageSecretStore } from './safe-storage-secret-store.ts';
import { shellPaths } from './shell-paths.ts';
import { startCore } from './start-core.ts';
import { describeStartupError } from './startup-error.ts';
import { defaultBranding, loadBranding, type LoadedBranding } from '../core/config/branding.ts';

const APP_USER_MODEL_ID = 'it.recapito.agent'; // = appId in electron-builder.yml; Windows notifications need it

let running: RunningAgent | null = null;
/** The reseller's branding (docs/white-label.md); Recapito's until read, and if it cannot be. */
let branding: LoadedBranding = defaultBranding();
let desktop: DesktopShell | null = null;
let quitting = false;
let stopped = false;

// Before ready: every renderer sandboxed, whatever a window's options say.
app.enableSandbox();

if (!app.requestSingleInstanceLock()) {
  // Another Recapito is running for this user: it receives 'second-instance' and shows its window.
  app.quit();
} else {
  app.on('second-instance', () => desktop?.showWindow());
  // The agent lives in the tray: closing the last window does not quit.
  app.on('window-all-closed', () => undefined);
  app.on('activate', () => desktop?.showWindow());
  app.on('before-quit', (event) => {
    if (stopped) return;
    event.preventDefault();
    if (quitting) return;
    quitting = true;
    // shutdown never rejects: it logs what did not stop cleanly.
    void shutdown().finally(() => {
      stopped = true;
      app.quit();
    });
  });
  app
    .whenReady()
    .then(start)
    .catch((error: unknown) => {
      // start() answers its own failures with a dialog; this is a failure of that answer: leave.
      console.error('Recapito: cannot start:', error);
      app.exit(1);
    });
}

async function start(): Promise<void> {
  const locale = localeFrom(app.getLocale());
  try {
    const dataDir = defaultDataDir();
    // First, so that even a failed start speaks the brand's name. Never throws: a bad file is the default, with warnings.
    branding = await loadBranding({ env: process.env, dataDir, resourcesDir: app.isPackaged ? process.resourcesPath : null });
    // A branded installer has its own appId (build/branded-installer.ts); notifications need the same one.
    if (process.platform === 'win32') app.setAppUserModelId(branding.appId ?? APP_USER_MODEL_ID);
    const secrets = await createSafeStorageSecretStore(path.join(dataDir, SAFE_SECRETS_FILE_NAME), safeStorage);
    const loaded = await loadDesktopPreferences(path.join(dataDir, DESKTOP_PREFERENCES_FILE_NAME));
    running = await startCore(dataDir, secrets, branding);
    if (loaded.problem) running.log.warn('desktop preferences ignored; using defaults', { problem: loaded.problem });
    desktop = new DesktopShell({
      running,
      locale,
      paths: shellPaths({ isPackaged: app.isPackaged, resourcesPath: process.resourcesPath, mainDir: path.dirname(fileURLToPath(import.meta.url)) }, branding),
      preferences: new DesktopPreferencesStore(path.join(dataDir, DESKTOP_PREFERENCES_FILE_NAME), loaded.preferences),
      firstRun: loaded.firstRun,
      devTools: !app.isPackaged,
      startHidden: process.argv.includes(HIDDEN_FLAG) || (process.platform === 'darwin' && app.getLoginItemSettings().wasOpenedAtLogin),
      isQuitting: () => quitting,
      requestQuit: () => app.quit(),
    });
    desktop.start();
    running.log.info('desktop shell started', { dataDir, locale });
  } catch (error) {
    const text = describeStartupError(error, locale, branding.view.productName);
    console.error(`${branding.view.productName}: ${text.message}`);
    dialog.showErrorBox(text.title, text.message);
    await shutdown();
    stopped = true;
    app.exit(1);
  }
}

/** Stops the shell, then the agent (which finishes in-flight work and closes the database). */
async function shutdown(): Promise<void> {
  try {
    await desktop?.stop();
  } catch (error) {
    running?.log.warn('desktop shell did not stop cleanly', { error: error instanceof Error ? error.message : String(error) });
  }
  desktop = null;
  try {
    await running?.stop();
  } catch (error) {
    console.error('Recapito: the agent did not stop cleanly:', error);
  }
  running = null;
}
