#!/usr/bin/env -S node --max-semi-space-size=16 --wasm-wrapper-tiering-budget=2147483647
// The `recapito` command.
// The shebang carries AGENT_NODE_FLAGS (agent-node-flags.ts); a test keeps the two equal.

const USAGE = `usage: recapito <command> [options]

  serve [--data DIR]                       run the agent headless (local API and UI on 127.0.0.1)
  sandbox-hub [--dir DIR] [--port N] [--delay-ms N] [--create-key] [--activation-code] [--sftp-root DIR]
                                           run the sandbox hub with simulated SDI
  send FILE… [--profile ID] [--as NAME] [--data DIR]
                                           hand files to the running agent (--as: who releases them)
  status [ID] [--json] [--data DIR]        agent health and queue, or one document
  approve ID… [--as NAME] [--pin-file F]   approve documents awaiting approval (PIN from F, stdin or a prompt)
  refuse ID… --reason TEXT [--as NAME] [--pin-file F]
                                           refuse them: they end "declined" with the reason (docs/approval.md)
  approvers list|add NAME|remove NAME [--os-user U] [--by NAME] [--pin-file F] [--by-pin-file F]
                                           the people who approve, each with a PIN
  enroll CODE | --code-file FILE [--device-name NAME] [--data DIR] [--json]
                                           trade a one-time activation code for the hub API key
                                           (or the code in RECAPITO_ACTIVATION_CODE; docs/enrollment.md)
  demo [--dir DIR]                         sandbox hub + agent + a watched folder, all on this machine
  sftp-fingerprint HOST [--port N]         show an SFTP server's host key fingerprint, to confirm and pin
  printer install|uninstall|status [--profile ID] [--data DIR]
                                           add the virtual printer's queues to the OS print system
  export --csv FILE|- [--from --to --profile --state] [--data DIR]
                                           the documents' history as CSV (Excel-ready)
  support-bundle [--data DIR] [--out DIR]  a ZIP for the helpdesk: logs, settings, versions, queue, checks;
                                           never a secret (docs/support-bundle.md)`;

type Command = (args: string[]) => Promise<number>;

// Each command's module is loaded when it runs: `recapito serve` does not carry the sandbox hub,
// its certificate code or the other commands (about 10 MiB of resident memory; docs/performance.md,
// "Memory"). The commands import statically, so the layering rules still see everything they use.
const commands: Record<string, () => Promise<Command>> = {
  serve: async () => (await import('./commands/serve.ts')).serveCommand,
  'sandbox-hub': async () => (await import('./commands/sandbox-hub.ts')).sandboxHubCommand,
  send: async () => (await import('./commands/send.ts')).sendCommand,
  status: async () => (await import('./commands/status.ts')).statusCommand,
  demo: async () => (await import('./commands/demo.ts')).demoCommand,
  'sftp-fingerprint': async () => (await import('./commands/sftp-fingerprint.ts')).sftpFingerprintCommand,
  printer: async () => (await import('./commands/printer.ts')).printerCommand,
  export: async () => (await import('./commands/export.ts')).exportCommand,
  'support-bundle': async () => (await import('./commands/support-bundle.ts')).supportBundleCommand,
  approve: async () => (await import('./commands/approve.ts')).approveCommand,
  refuse: async () => (await import('./commands/approve.ts')).refuseCommand,
  approvers: async () => (await import('./commands/approve.ts')).approversCommand,
  enroll: async () => (await import('./commands/enroll.ts')).enrollCommand,
};

const [name, ...args] = process.argv.slice(2);
const loadCommand = name && Object.hasOwn(commands, name) ? commands[name] : undefined;
if (!loadCommand) {
  console.error(USAGE);
  process.exitCode = name === '--help' || name === '-h' ? 0 : 2;
} else {
  try {
    const command = await loadCommand();
    process.exitCode = await command(args);
  } catch (error) {
    console.error(`recapito ${name}: ${(error as Error).message}`);
    process.exitCode = 1;
  }
}
