// The OS print queue for the virtual printer: one per profile, pointed at the agent's loopback IPP
// server with the system's own driverless support. CUPS on Linux and macOS, PowerShell on Windows.
import { defaultCommandRunner } from './command-runner.ts';
import { CupsQueueManager } from './cups-queue-manager.ts';
import { WindowsQueueManager } from './windows-queue-manager.ts';
import { QueueError } from './queue-types.ts';
import type { CommandRunner, QueueManager } from './queue-types.ts';

export { QueueError };
export type { CommandResult, CommandRunner, QueueManager, QueueSpec, QueueState } from './queue-types.ts';
export { cupsQueueName } from './queue-name.ts';

export function createQueueManager(platform: NodeJS.Platform = process.platform, runner: CommandRunner = defaultCommandRunner): QueueManager {
  switch (platform) {
    case 'linux':
    case 'darwin':
      return new CupsQueueManager(runner, { platform });
    case 'win32':
      return new WindowsQueueManager(runner);
    default:
      // FreeBSD and friends usually have CUPS too, but nobody has checked: say so instead of guessing.
      throw new QueueError(
        'not_supported',
        `Installing print queues is supported on Linux, macOS and Windows, not on ${platform}. Add an IPP Everywhere printer by hand pointing at the agent's printer address.`,
        '',
      );
  }
}
