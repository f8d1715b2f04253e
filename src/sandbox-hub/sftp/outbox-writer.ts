// Writes out/: for each status change of an SFTP document (and each notice), first the files the
// event names, then its status file; then the durable cursor moves past it. Files the agent has
// applied and deleted are behind the cursor, so they are never written again. A crash between the
// writes and the cursor update rewrites that one event's files: at-least-once, as the protocol allows.
import type { HubEvent } from '../../contract/hub-protocol.ts';
import { fsyncDirectory } from '../../core/util/fsync.ts';
import type { DocumentsRepository } from '../store/documents-repository.ts';
import type { SftpRepository } from '../store/sftp-repository.ts';
import { writeFileAtomically } from './atomic-write.ts';
import { documentFileName, statusFileName } from './file-names.ts';

const BATCH = 200;

export interface OutboxWriterDeps {
  outDir: string;
  accountId: string;
  documents: DocumentsRepository;
  sftp: SftpRepository;
}

export class OutboxWriter {
  private readonly deps: OutboxWriterDeps;

  constructor(deps: OutboxWriterDeps) {
    this.deps = deps;
  }

  /** Writes everything pending; returns how many status files it wrote. */
  async flush(): Promise<number> {
    const { sftp, accountId } = this.deps;
    let written = 0;
    for (;;) {
      const pending = sftp.pendingOut(accountId, sftp.outCursor(accountId), BATCH);
      if (pending.length === 0) return written;
      for (const event of pending) {
        await this.write(event);
        await fsyncDirectory(this.deps.outDir);
        sftp.setOutCursor(accountId, event.seq);
        written += 1;
      }
    }
  }

  private async write(event: HubEvent): Promise<void> {
    for (const name of event.files ?? []) {
      const file = this.deps.documents.file(event.documentId, name);
      // Cannot happen short of a sandbox bug: the step stores the file with the event.
      if (!file) throw new Error(`event ${event.seq} names the file "${name}", which document ${event.documentId} does not have`);
      await writeFileAtomically(this.deps.outDir, documentFileName(event.idempotencyKey, name), file.bytes);
    }
    await writeFileAtomically(this.deps.outDir, statusFileName(event.seq, event.idempotencyKey, event.status), `${JSON.stringify(event)}\n`);
  }
}
