// Runs a FolderWatcher in a process of its own and prints each file it hands over as one JSON line.
// Tests start it as an unprivileged user when they run as root (root can read any file, so a file
// "that cannot be opened for reading" only exists for another user).
import { FolderWatcher } from '../../src/core/intake/folder-watcher.ts';

const folder = process.argv[2];
if (!folder) throw new Error('usage: watch-folder-child.ts FOLDER');
const watcher = new FolderWatcher({
  folder,
  stableWindowMs: 200,
  rescanIntervalMs: 60_000,
  onStable: async (file) => {
    process.stdout.write(`${JSON.stringify({ name: file.name, size: file.size })}\n`);
  },
});
await watcher.start();
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
process.on('SIGTERM', () => void watcher.stop().then(() => process.exit(0)));
