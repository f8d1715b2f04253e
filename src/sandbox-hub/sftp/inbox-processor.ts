// One pass over in/: every complete upload (`<idempotencyKey>__<safe name>`, never a dot-file) goes
// through the same HubService.submitDocument as POST /v1/documents. What HTTPS answers with a status
// code becomes a status file here: 402 → `held` (the file stays and is tried again on every pass),
// any other refusal → `failed` (the file is removed). Accepted and replayed uploads are removed once
// the document is committed to hub.sqlite.
import { createHash } from 'node:crypto';
import type { Dirent } from 'node:fs';
import { lstat, mkdir, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { HubStatus } from '../../contract/hub-protocol.ts';
import { HubProtocolError } from '../hub-protocol-error.ts';
import type { HubService, SubmitterContext } from '../processing/hub-service.ts';
import { checkNotEmpty } from '../processing/upload-validation.ts';
import type { SftpRepository } from '../store/sftp-repository.ts';
import { detectContentType } from './content-detection.ts';
import { parseInboxName } from './file-names.ts';

/** Where uploads whose names do not follow the protocol are moved (a dot-folder: never scanned). */
const REJECTED_FOLDER = '.rejected';

export interface InboxProcessorDeps {
  inDir: string;
  account: SubmitterContext;
  service: HubService;
  sftp: SftpRepository;
  maxDocumentBytes: number;
  now: () => Date;
  log: (message: string) => void;
}

interface Upload {
  name: string;
  idempotencyKey: string;
  fileName: string;
}

export class InboxProcessor {
  private readonly deps: InboxProcessorDeps;

  constructor(deps: InboxProcessorDeps) {
    this.deps = deps;
  }

  async scan(): Promise<void> {
    // Uploads in progress (.<key>.part) and our own .rejected/ are dot-files: never looked at.
    const entries = (await readdir(this.deps.inDir, { withFileTypes: true })).filter((entry) => !entry.name.startsWith('.'));
    for (const entry of await this.oldestFirst(entries)) await this.take(entry);
  }

  /** Upload order (modification time, then name), so returning credits go to the longest waiting. */
  private async oldestFirst(entries: Dirent[]): Promise<Dirent[]> {
    const timed = await Promise.all(
      entries.map(async (entry) => ({
        entry,
        at: await lstat(join(this.deps.inDir, entry.name)).then(
          (stats) => stats.mtimeMs,
          () => 0,
        ),
      })),
    );
    return timed.sort((a, b) => a.at - b.at || a.entry.name.localeCompare(b.entry.name)).map(({ entry }) => entry);
  }

  private async take(entry: Dirent): Promise<void> {
    if (!entry.isFile()) {
      await this.reject(entry.name, 'it is not a regular file');
      return;
    }
    const parsed = parseInboxName(entry.name);
    if (!parsed.ok) {
      await this.reject(entry.name, parsed.problem);
      return;
    }
    const upload: Upload = { name: entry.name, idempotencyKey: parsed.idempotencyKey, fileName: parsed.fileName };
    let bytes: Buffer;
    try {
      bytes = await this.read(upload);
    } catch (error) {
      if (error instanceof HubProtocolError) await this.refuse(upload, tooLargeDigest(upload), error);
      else if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error; // gone since the listing: nothing to do
      return;
    }
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    try {
      checkNotEmpty(bytes);
      const { kind, mediaType } = detectContentType(bytes);
      this.deps.service.submitDocument(this.deps.account, {
        idempotencyKey: upload.idempotencyKey,
        kind,
        contentType: mediaType,
        fileName: upload.fileName,
        source: null,
        company: null,
        bytes,
        sha256,
        channel: 'sftp',
      });
    } catch (error) {
      if (!(error instanceof HubProtocolError)) throw error;
      if (error.status === 402) this.hold(upload, sha256, error);
      else await this.refuse(upload, sha256, error);
      return;
    }
    await this.remove(upload.name);
  }

  private async read(upload: Upload): Promise<Buffer> {
    const { size } = await lstat(join(this.deps.inDir, upload.name));
    if (size > this.deps.maxDocumentBytes) {
      throw new HubProtocolError(413, 'document_too_large', `The file is ${size} bytes; this hub accepts at most ${this.deps.maxDocumentBytes}.`);
    }
    return readFile(join(this.deps.inDir, upload.name));
  }

  /** One `held` status file per upload; the file stays for a later pass. */
  private hold(upload: Upload, sha256: string, error: HubProtocolError): void {
    this.notice(upload, sha256, 'held', error);
  }

  /** One `failed` status file; then the file leaves in/ (the agent keeps its own copy). */
  private async refuse(upload: Upload, sha256: string, error: HubProtocolError): Promise<void> {
    this.notice(upload, sha256, 'failed', error);
    await this.remove(upload.name);
  }

  private notice(upload: Upload, sha256: string, status: HubStatus, error: HubProtocolError): void {
    const { sftp, account } = this.deps;
    if (sftp.hasNotice(account.accountId, upload.idempotencyKey, sha256, status)) return;
    sftp.addNotice({
      accountId: account.accountId,
      sha256,
      // No document was made from this upload: documentId stays empty.
      event: {
        documentId: '',
        idempotencyKey: upload.idempotencyKey,
        status,
        at: this.deps.now().toISOString(),
        message: error.message,
        errors: [{ code: error.code, description: error.message }],
      },
    });
  }

  private async reject(name: string, problem: string): Promise<void> {
    const folder = join(this.deps.inDir, REJECTED_FOLDER);
    await mkdir(folder, { recursive: true, mode: 0o700 });
    try {
      await rename(join(this.deps.inDir, name), join(folder, name));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return;
      // A folder cannot replace an earlier rejected one of the same name: keep both.
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST' && code !== 'EISDIR' && code !== 'ENOTDIR') throw error;
      await rename(join(this.deps.inDir, name), join(folder, `${name}.${Date.now()}`));
    }
    this.deps.log(`in/${name} was moved to in/${REJECTED_FOLDER}/ and not processed: ${problem}`);
  }

  private async remove(name: string): Promise<void> {
    await unlink(join(this.deps.inDir, name)).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
  }
}

/** A stand-in digest for an upload too large to read: one notice per name is enough. */
function tooLargeDigest(upload: Upload): string {
  return createHash('sha256').update(`too-large:${upload.name}`).digest('hex');
}
