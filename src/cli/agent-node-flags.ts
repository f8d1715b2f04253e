// The V8 flags the agent's Node process is started with, wherever it is launched from: the installed
// `recapito` command (its shebang), `npm run demo` / `npm run recapito`, and the bench and soak children.
//
// --max-semi-space-size=16: V8 grows the young generation to 3 × 32 MiB semi-spaces under a burst of
// captures and keeps it at that size afterwards, so a quiet agent stayed ~130 MiB above its live heap.
// At 16 MiB a 5,000-file capture peaked at 296 MiB instead of 375 MiB, and captured no slower
// (docs/performance.md, "Memory"). V8 reads the flag only at start-up (v8.setFlagsFromString later has
// no effect), and it is process-wide, so the capture worker threads get it too.
//
// --wasm-wrapper-tiering-budget=2147483647: keeps V8 from ever compiling an optimized wrapper for
// WebAssembly calling into JavaScript. V8 13.6 (Node 24) has a race between threads in that step:
// a thread compiling a wrapper frees code another isolate still references, and the process dies
// with SIGSEGV in WasmEngine::FreeDeadCode under Runtime_TierUpWasmToJSWrapper (seen in a core dump
// of a test process; docs/architecture.md, "Worker threads and WebAssembly"). Run from source, every
// worker thread strips the types of its .ts modules with Node's Amaro, which is WebAssembly; built,
// CommonJS packages imported by a worker go through Node's WebAssembly CJS lexer. Generic wrappers
// are a little slower per call and none of that is hot.
export const AGENT_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=16', '--wasm-wrapper-tiering-budget=2147483647'];
