// What the main thread and the capture workers say to each other. Parts come back WITHOUT their
// bytes: by the time a worker answers, the bytes are in the spool, fsynced.
import type { DocumentKind } from '../../../contract/states.ts';
import type { InspectLimits } from '../inspect-capture.ts';
import type { FileSnapshot } from '../stable-file.ts';

/**
 * A stable file of a watched folder, with the snapshot the watcher checked (the worker reads only
 * that very file), or bytes from the API or printer.
 */
export type CaptureRequest = ({ type: 'file'; path: string; name: string } & FileSnapshot) | { type: 'bytes'; name: string; bytes: Uint8Array };

/** A document to record: what inspection found, and where its bytes are (`sha256` in the spool). */
export interface PreparedPart {
  name: string;
  kind: DocumentKind;
  contentType: string | null;
  /** Set when the part cannot be sent: why, in words a user can act on. */
  invalid: { code: string; reason: string } | null;
  metadata: Record<string, unknown>;
  sha256: string;
  size: number;
  /** False when nothing was kept (empty, or over the size limit). */
  spooled: boolean;
  /**
   * A small part's bytes, for the main thread to keep in the store in the capture's own commit
   * (store/spool-blobs.ts) instead of a spool file; absent: already in a spool file, fsynced.
   */
  inline?: Uint8Array;
}

/** The whole capture: the source's own hash and size (a ZIP's, for a batch) and its parts. */
export interface PreparedCapture {
  sha256: string;
  size: number;
  parts: PreparedPart[];
}

/** Faults a worker can be told to simulate, for tests of the pool's recovery. Never set in production. */
export interface CaptureWorkerFaults {
  /** A capture whose name contains this crashes the worker (an uncaught exception). */
  crashOnName?: string;
  /** A capture whose name contains this blocks the worker's thread forever. */
  hangOnName?: string;
  /** The worker blocks this long before it says it is ready (Infinity: never). */
  startDelayMs?: number;
}

export interface CaptureWorkerData {
  spoolDir: string;
  /** Parts up to this size come back inline (PreparedPart.inline) rather than spooled; 0: never. */
  inlinePartMaxBytes: number;
  limits: InspectLimits;
  faults?: CaptureWorkerFaults;
}

export interface CaptureJobMessage {
  id: number;
  request: CaptureRequest;
}

export interface SerializedError {
  name: string;
  message: string;
  code?: string;
}

export type CaptureResultMessage = { id: number; ok: true; result: PreparedCapture } | { id: number; ok: false; error: SerializedError };

/** A worker's first message: its modules are loaded, so from now on a silence means a hang. */
export interface CaptureWorkerReady {
  ready: true;
}

export type CaptureWorkerMessage = CaptureResultMessage | CaptureWorkerReady;
