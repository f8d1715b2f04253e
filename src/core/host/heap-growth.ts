// How far V8 lets the JavaScript heap grow past what is live before it collects again. By default
// it picks a factor between 1.1 and 4 from how fast the program allocates: in a burst of captures
// the agent allocates fast (about 80 MiB live on the main thread), V8 chose the top of the range and
// the heap reached 200–270 MiB, most of it garbage, for a peak resident set of 500–640 MiB with
// 10,000 files (issue 16: < 300 MB). A fixed, small factor makes it collect sooner instead.
// The flag is read at every collection, so setting it once the process runs takes effect; it is
// process-wide (worker threads included). Set by the agent's own launchers (`recapito serve`),
// documented in docs/performance.md ("Memory").
import { setFlagsFromString } from 'node:v8';

/** 1 + 20/100: the next collection when the heap has grown by a fifth of what was live. */
export const HEAP_GROWING_PERCENT = 20;

export function limitHeapGrowth(percent = HEAP_GROWING_PERCENT): void {
  setFlagsFromString(`--heap-growing-percent=${percent}`);
}
