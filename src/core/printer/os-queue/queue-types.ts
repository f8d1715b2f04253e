// The shapes shared by the OS print-queue managers (CUPS on Linux/macOS, PowerShell on Windows).
// Kept apart from queue-manager.ts so the managers can import them without an import cycle.

export interface QueueSpec {
  /** The display name, e.g. "Recapito – Rossi Srl". Each system derives a name it accepts (see queue-name.ts). */
  name: string;
  /** The agent's printer, e.g. ipp://127.0.0.1:8631/ipp/print/<profileId>. */
  uri: string;
  /** Shown to people; defaults to the display name. */
  description?: string;
  location?: string;
}

export type QueueState =
  | { installed: false }
  | {
      installed: true;
      /** Where the queue sends jobs; null when the system does not say. */
      uri: string | null;
      /** The queue uses the OS's own driverless support (CUPS: a PPD built by 'everywhere'; Windows: the IPP Class Driver). */
      driverless: boolean;
      enabled: boolean;
      accepting: boolean;
    };

export interface QueueManager {
  readonly system: 'cups' | 'windows';
  /** The name the queue gets in this print system for a display name. */
  queueName(displayName: string): string;
  /** Throws QueueError with a code and a message that says what to do and the command to run by hand. */
  install(spec: QueueSpec): Promise<void>;
  /** Removing a queue that is not there is not an error. */
  uninstall(name: string): Promise<void>;
  status(name: string): Promise<QueueState>;
}

export type QueueErrorCode = 'forbidden' | 'server_not_answering' | 'no_driver' | 'not_supported' | 'command_failed';

export class QueueError extends Error {
  readonly code: QueueErrorCode;
  /** The exact command a person can run by hand (with the rights it needs) to do the same thing. */
  readonly command: string;

  constructor(code: QueueErrorCode, message: string, command: string) {
    super(message);
    this.name = 'QueueError';
    this.code = code;
    this.command = command;
  }
}

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a program without a shell. A program that is not installed resolves with code 127. */
export type CommandRunner = (command: string, args: string[], options?: { timeoutMs?: number }) => Promise<CommandResult>;
