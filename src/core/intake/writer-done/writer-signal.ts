// The OS's word on whether the program that wrote a file is done with it, so the folder watcher can
// take a file the moment its writer closes it instead of after the stability window. One small file
// per platform; the watcher sees only this interface. docs/design-decisions.md ("Intake") says which
// signal each OS gives and what stays on the window.

/**
 * - `open-for-writing`: some process holds the file open for writing (Windows: open at all): wait.
 * - `closed`: nobody does; the file can be taken now (its snapshot is still checked when it is read).
 * - `unknown`: this OS layer cannot tell for this file: the stability window decides, as before.
 * - `later`: it could tell, but not right now (a look at every process was done moments ago and
 *   another would cost too much): ask again shortly; never a reason to take the file.
 */
export type WriterState = 'open-for-writing' | 'closed' | 'unknown' | 'later';

export interface WriterQuery {
  path: string;
  /** `dev:ino` of the file as the watcher's snapshot saw it (stable-file.ts). */
  identity: string;
  /** The file's owner: a writer among processes the agent cannot look into matters only for files not its own. */
  uid: number;
}

export interface WriterSignal {
  /** Which signal this is, for logs: a scan of /proc, an exclusive open, or none. */
  readonly kind: 'proc-fd' | 'exclusive-open' | 'none';
  /**
   * Whether the signal can be trusted for files in this folder. A network share's writer runs on
   * another machine, invisible to this OS: false there, and the watcher keeps the window.
   */
  covers(folder: string): Promise<boolean>;
  /**
   * One look that answers for all these files, in order. Must be asked after their snapshots were
   * taken: a writer that wrote after the snapshot and closed before the look changed the size or mtime,
   * which the read catches. Never rejects: what cannot be told is `unknown`.
   */
  writerStates(files: readonly WriterQuery[]): Promise<WriterState[]>;
  /** After a `later`: how soon a look can answer (the watcher does not ask again before). */
  nextLookInMs?(): number;
}

/** macOS and every other platform: no signal, the stability window decides everything. */
export const NO_WRITER_SIGNAL: WriterSignal = {
  kind: 'none',
  covers: () => Promise.resolve(false),
  writerStates: (files) => Promise.resolve(files.map(() => 'unknown' as const)),
};
