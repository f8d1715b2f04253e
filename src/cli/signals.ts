// How the long-running commands (serve, demo, sandbox-hub) learn that they should stop.

/** A signal repeated within this long is the same request (npm forwards the Ctrl+C the terminal also sent us). */
const REPEATED_SIGNAL_MS = 2000;

/**
 * Resolves when SIGINT or SIGTERM arrives. The stop that follows is then clean even if the signal
 * comes twice (under `npm run`, Ctrl+C reaches node from the terminal and again from npm); a signal
 * later than that means "stop now" and exits at once.
 */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    let first: number | null = null;
    const handler = (signal: NodeJS.Signals): void => {
      if (first === null) {
        first = Date.now();
        resolve(signal);
      } else if (Date.now() - first > REPEATED_SIGNAL_MS) {
        console.error(`${signal} again: stopping at once, without waiting for the agent`);
        process.exit(130);
      }
    };
    process.on('SIGINT', handler);
    process.on('SIGTERM', handler);
  });
}
