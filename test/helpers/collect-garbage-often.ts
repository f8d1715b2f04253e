// Preloaded (`node --expose-gc --import …`) into an agent under test: a full garbage collection
// every 200 ms, so a FileHandle left open and unreachable is collected during the test and Node
// says so on stderr ("Closing file descriptor N on garbage collection", DEP0137).
const collect = (globalThis as { gc?: () => void }).gc;
if (!collect) throw new Error('collect-garbage-often needs node --expose-gc');
setInterval(collect, 200).unref();
