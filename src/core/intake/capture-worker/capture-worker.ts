// Entry of a capture worker thread: takes capture requests from the pool, runs several at once
// (their file I/O overlaps), and answers each with its prepared parts or its error.
import { parentPort, workerData } from 'node:worker_threads';
import { Spool } from '../../store/spool.ts';
import { prepareCapture } from './prepare-capture.ts';
import type { CaptureJobMessage, CaptureResultMessage, CaptureWorkerData, CaptureWorkerFaults, CaptureWorkerReady, SerializedError } from './messages.ts';

if (!parentPort) throw new Error('capture-worker.ts runs as a worker thread (new Worker), not on its own');
const port = parentPort;
const data = workerData as CaptureWorkerData;
const spool = new Spool(data.spoolDir);

// handle never rejects: a failure is its answer.
port.on('message', (message: CaptureJobMessage) => void handle(message));
// A slow start (a loaded machine) as a test sees it: the thread is blocked, not idle.
if (data.faults?.startDelayMs) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, data.faults.startDelayMs);
port.postMessage({ ready: true } satisfies CaptureWorkerReady);

async function handle({ id, request }: CaptureJobMessage): Promise<void> {
  if (simulateFault(request.name, data.faults)) return;
  let answer: CaptureResultMessage;
  try {
    answer = { id, ok: true, result: await prepareCapture(request, { spool, limits: data.limits, inlinePartMaxBytes: data.inlinePartMaxBytes }) };
  } catch (error) {
    answer = { id, ok: false, error: serialize(error) };
  }
  try {
    port.postMessage(answer);
  } catch (error) {
    // An answer that cannot be sent (not cloneable) fails this capture alone, not the thread and
    // every capture under way in it.
    port.postMessage({ id, ok: false, error: serialize(error) } satisfies CaptureResultMessage);
  }
}

/** True when the request is never to be answered (the worker is about to crash). */
function simulateFault(name: string, faults: CaptureWorkerFaults | undefined): boolean {
  if (faults?.crashOnName && name.includes(faults.crashOnName)) {
    // Uncaught, outside any promise: the worker dies as it would on a native fault.
    setImmediate(() => {
      throw new Error(`simulated capture worker crash on ${name}`);
    });
    return true;
  }
  if (faults?.hangOnName && name.includes(faults.hangOnName)) {
    for (;;) {
      // Blocks the thread, as a runaway parser would.
    }
  }
  return false;
}

function serialize(error: unknown): SerializedError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const code = (error as NodeJS.ErrnoException).code;
  return { name: error.name, message: error.message, ...(typeof code === 'string' ? { code } : {}) };
}
