// The tray's "support bundle" item (docs/support-bundle.md): the running agent makes the ZIP in the
// main process, a save dialog asks where (the Downloads folder and the bundle's name proposed), the
// file is written private to the user and shown in its folder. Electron's calls come in as
// functions, so the flow is tested without Electron.
import { join } from 'node:path';
import { writeFile } from 'node:fs/promises';

export interface SupportBundleSaveHost {
  make(): Promise<{ name: string; bytes: Buffer }>;
  /** The user's Downloads folder (`app.getPath('downloads')`). */
  downloadsDir(): string;
  /** The chosen path, or null when the person cancels. */
  askWhere(defaultPath: string): Promise<string | null>;
  /** Shows the saved file in the file manager. */
  reveal(file: string): void;
  /** Says why no bundle was saved. */
  showError(message: string): Promise<void>;
}

export type SupportBundleSaveResult = { saved: string } | { cancelled: true } | { failed: string };

export async function saveSupportBundle(host: SupportBundleSaveHost, failedHeadline: string): Promise<SupportBundleSaveResult> {
  try {
    const bundle = await host.make();
    const file = await host.askWhere(join(host.downloadsDir(), bundle.name));
    if (file === null) return { cancelled: true };
    // 0600: the bundle names documents and folders; it is for the helpdesk only.
    await writeFile(file, bundle.bytes, { mode: 0o600 });
    host.reveal(file);
    return { saved: file };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await host.showError(`${failedHeadline}: ${message}`);
    return { failed: message };
  }
}
