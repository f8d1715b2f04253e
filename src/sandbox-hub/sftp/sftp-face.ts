// The sandbox hub's SFTP face: a real OpenSSH sshd serves rootDir to the agent; the hub works on the
// same folder locally. Every pollIntervalMs (or at once when an event is stored) it takes uploads
// from in/ and writes status changes to out/. All state is in hub.sqlite, so a hub started again on
// the same data folder and root folder carries on.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { EventNotifier } from '../processing/event-notifier.ts';
import type { HubService, SubmitterContext } from '../processing/hub-service.ts';
import type { DocumentsRepository } from '../store/documents-repository.ts';
import type { SftpRepository } from '../store/sftp-repository.ts';
import { removeStaleTemporaries } from './atomic-write.ts';
import { InboxProcessor } from './inbox-processor.ts';
import { OutboxWriter } from './outbox-writer.ts';

export interface SftpFaceOptions {
  rootDir: string;
  pollIntervalMs: number;
  account: SubmitterContext;
  service: HubService;
  documents: DocumentsRepository;
  sftp: SftpRepository;
  notifier: EventNotifier;
  maxDocumentBytes: number;
  now: () => Date;
}

export interface SftpFace {
  rootDir: string;
  /** Stops polling; resolves once the pass in progress is over. */
  close(): Promise<void>;
}

// The folders are the account's: only the hub's user (and sshd logged in as it) may enter them.
const FOLDER_MODE = 0o700;

export async function startSftpFace(options: SftpFaceOptions): Promise<SftpFace> {
  const inDir = join(options.rootDir, 'in');
  const outDir = join(options.rootDir, 'out');
  await ensureFolders(options.rootDir, inDir, outDir);
  await removeStaleTemporaries(outDir);
  const inbox = new InboxProcessor({
    inDir,
    account: options.account,
    service: options.service,
    sftp: options.sftp,
    maxDocumentBytes: options.maxDocumentBytes,
    now: options.now,
    log: (message) => console.warn(`[sandbox-hub] SFTP: ${message}`),
  });
  const outbox = new OutboxWriter({ outDir, accountId: options.account.accountId, documents: options.documents, sftp: options.sftp });
  // A failure that repeats on every pass (a folder made unwritable, say) is logged once, not 5 times a second.
  let lastFailure: string | null = null;

  const stop = new AbortController();
  const pass = async (): Promise<void> => {
    try {
      await ensureFolders(options.rootDir, inDir, outDir); // someone may have removed them
      await inbox.scan();
      await outbox.flush();
      lastFailure = null;
    } catch (error) {
      const failure = `SFTP folder ${options.rootDir}: ${(error as Error).message}; retrying every ${options.pollIntervalMs} ms`;
      if (failure !== lastFailure) console.error(`[sandbox-hub] ${failure}`);
      lastFailure = failure;
    }
  };
  const loop = (async () => {
    while (!stop.signal.aborted) {
      await pass();
      if (stop.signal.aborted || options.notifier.isClosed) break;
      // A new event (an SDI step) wakes the loop early, so out/ follows the feed closely.
      await options.notifier.wait(options.pollIntervalMs, stop.signal);
    }
  })();

  let closing: Promise<void> | undefined;
  return {
    rootDir: options.rootDir,
    close: () => {
      closing ??= (async () => {
        stop.abort();
        await loop;
      })();
      return closing;
    },
  };
}

async function ensureFolders(...folders: string[]): Promise<void> {
  for (const folder of folders) await mkdir(folder, { recursive: true, mode: FOLDER_MODE });
}
