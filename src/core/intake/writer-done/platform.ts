// The writer signal of the platform the agent runs on, one per process: every watched folder shares
// it, so one look at /proc answers for the pending files of all of them.
import { ProcWriterSignal } from './linux-proc.ts';
import { ExclusiveOpenWriterSignal } from './windows-exclusive.ts';
import { NO_WRITER_SIGNAL, type WriterSignal } from './writer-signal.ts';

export function writerSignalFor(platform: NodeJS.Platform): WriterSignal {
  if (platform === 'linux') return new ProcWriterSignal();
  if (platform === 'win32') return new ExclusiveOpenWriterSignal();
  // macOS: FSEvents reports no close, and without lsof (a process per look) or libproc (native code)
  // nothing tells whether a file is still open; O_EXLOCK is an advisory lock writers do not take.
  return NO_WRITER_SIGNAL;
}

let shared: WriterSignal | undefined;

export function platformWriterSignal(): WriterSignal {
  shared ??= writerSignalFor(process.platform);
  return shared;
}
