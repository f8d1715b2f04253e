// A clock for bounds on work: the CPU time this process spends (user + system, every thread: the
// main one, libuv's pool, GC helpers), not the time on the wall. A busy machine makes a test wait
// for a core, which stretches wall time but not CPU time; runaway work (an expanded entity bomb, a
// backtracking regular expression, an inflated ZIP) burns CPU time whatever the load.

/** Starts the clock; the returned function says how many CPU milliseconds have been spent since. */
export function startCpuClock(): () => number {
  const start = process.cpuUsage();
  return () => {
    const { user, system } = process.cpuUsage(start);
    return (user + system) / 1000;
  };
}
