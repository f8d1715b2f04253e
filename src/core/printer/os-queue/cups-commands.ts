// The CUPS command lines the manager runs, and the same lines quoted for a person to run by hand.

export interface CupsInstallTarget {
  queue: string;
  uri: string;
  description: string;
  location?: string | undefined;
}

/**
 * `-E` after `-p` enables the queue and accepts jobs; `-m everywhere` builds the PPD from the
 * printer's own attributes; not shared, so CUPS never offers our loopback printer to the LAN.
 */
export function lpadminInstallArgs(target: CupsInstallTarget): string[] {
  const args = ['-p', target.queue, '-E', '-v', target.uri, '-m', 'everywhere', '-o', 'printer-is-shared=false', '-D', target.description];
  if (target.location) args.push('-L', target.location);
  return args;
}

export function lpadminRemoveArgs(queue: string): string[] {
  return ['-x', queue];
}

/** A POSIX shell command line: arguments quoted only when they need it. */
export function shellCommand(command: string, args: string[], options: { sudo?: boolean } = {}): string {
  return [...(options.sudo ? ['sudo'] : []), command, ...args].map(shellQuote).join(' ');
}

export function shellQuote(arg: string): string {
  if (/^[A-Za-z0-9_./:@%+=,-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}
