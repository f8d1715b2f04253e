// A loopback TCP port free right now: bound, then released (a server that needs a fixed port across restarts, or a port nothing listens on).
export { freePort } from '../../src/core/util/ports.ts';
