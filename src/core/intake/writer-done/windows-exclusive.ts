// Windows: a file that opens with share mode 0 (libuv's UV_FS_O_EXLOCK) is open in no other program,
// writer or reader; a sharing violation (EBUSY) or a denied open (EPERM, EACCES) means someone still
// holds it. The handle is closed at once: a writer that reopens the file in that instant gets a
// sharing violation, as it would from an antivirus scanner.
import { constants } from 'node:fs';
import * as fs from 'node:fs/promises';
import type { WriterQuery, WriterSignal, WriterState } from './writer-signal.ts';

export interface ExclusiveOpenDeps {
  /** Opens for reading with these flags; the handle's bigint stat gives dev and ino. */
  open(path: string, flags: number): Promise<{ stat(options: { bigint: true }): Promise<{ dev: bigint; ino: bigint }>; close(): Promise<void> }>;
  /** `fs.constants.UV_FS_O_EXLOCK`: 0x10000000, defined by Node on Windows only. */
  exclusiveFlag: number;
}

const WINDOWS_EXLOCK = 0x1000_0000;
const HELD_CODES = new Set(['EBUSY', 'EPERM', 'EACCES']);

export class ExclusiveOpenWriterSignal implements WriterSignal {
  readonly kind = 'exclusive-open';
  readonly #deps: ExclusiveOpenDeps;

  constructor(deps: Partial<ExclusiveOpenDeps> = {}) {
    this.#deps = {
      open: deps.open ?? ((path, flags) => fs.open(path, flags)),
      exclusiveFlag: deps.exclusiveFlag ?? (constants as { UV_FS_O_EXLOCK?: number }).UV_FS_O_EXLOCK ?? WINDOWS_EXLOCK,
    };
  }

  /** A UNC path (`\\server\share\…`) is a share: its writers are on other machines. */
  covers(folder: string): Promise<boolean> {
    return Promise.resolve(!folder.startsWith('\\\\') && !folder.startsWith('//'));
  }

  writerStates(files: readonly WriterQuery[]): Promise<WriterState[]> {
    return Promise.all(files.map((file) => this.#stateOf(file)));
  }

  async #stateOf(file: WriterQuery): Promise<WriterState> {
    let handle: Awaited<ReturnType<ExclusiveOpenDeps['open']>>;
    try {
      handle = await this.#deps.open(file.path, constants.O_RDONLY | this.#deps.exclusiveFlag);
    } catch (error) {
      return HELD_CODES.has((error as NodeJS.ErrnoException).code ?? '') ? 'open-for-writing' : 'unknown';
    }
    try {
      const stats = await handle.stat({ bigint: true });
      // Another file under the name now: its own snapshot is taken at the next look.
      return `${stats.dev}:${stats.ino}` === file.identity ? 'closed' : 'unknown';
    } catch {
      return 'unknown';
    } finally {
      await handle.close().catch(() => undefined);
    }
  }
}
