// Runs a FolderWatcher in a process of its own and prints each file it hands over as one JSON line.
// Tests start it as root with a user id: root can read any file, so a file "that cannot be opened for
// reading" only exists for another user. The process becomes that user once its modules are loaded,
// before it watches anything: the user may not be able to reach the checkout (a clone in a 0700 home
// folder), only the watched folder.
import { FolderWatcher } from '../../src/core/intake/folder-watcher.ts';
import { becomeUser } from './become-user.ts';

const [folder, uid] = process.argv.slice(2);
if (!folder) throw new Error('usage: watch-folder-child.ts FOLDER [UID]');
if (uid) becomeUser(Number(uid));
const watcher = new FolderWatcher({
  folder,
  stableWindowMs: 200,
  rescanIntervalMs: 60_000,
  onStable: async (file) => {
    process.stdout.write(`${JSON.stringify({ name: file.name, size: file.size })}\n`);
  },
});
await watcher.start();
process.stdout.write(`${JSON.stringify({ ready: true, uid: process.getuid?.() })}\n`);
process.on('SIGTERM', () => void watcher.stop().then(() => process.exit(0)));
