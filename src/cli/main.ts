#!/usr/bin/env -S node --max-semi-space-size=16
// The `recapito` command.
// The shebang carries AGENT_NODE_FLAGS (agent-node-flags.ts); a test keeps the two equal.
import { serveCommand } from './commands/serve.ts';
import { sandboxHubCommand } from './commands/sandbox-hub.ts';
import { sendCommand } from './commands/send.ts';
import { statusCommand } from './commands/status.ts';
import { demoCommand } from './commands/demo.ts';
import { sftpFingerprintCommand } from './commands/sftp-fingerprint.ts';
import { printerCommand } from './commands/printer.ts';
import { exportCommand } from './commands/export.ts';
import { supportBundleCommand } from './commands/support-bundle.ts';
import { approveCommand, approversCommand, refuseCommand } from './commands/approve.ts';
import { enrollCommand } from './commands/enroll.ts';

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

const commands: Record<string, (args: string[]) => Promise<number>> = {
  serve: serveCommand,
  'sandbox-hub': sandboxHubCommand,
  send: sendCommand,
  status: statusCommand,
  demo: demoCommand,
  'sftp-fingerprint': sftpFingerprintCommand,
  printer: printerCommand,
  export: exportCommand,
  'support-bundle': supportBundleCommand,
  approve: approveCommand,
  refuse: refuseCommand,
  approvers: approversCommand,
  enroll: enrollCommand,
};

const [name, ...args] = process.argv.slice(2);
const command = name ? commands[name] : undefined;
if (!command) {
  console.error(USAGE);
  process.exitCode = name === '--help' || name === '-h' ? 0 : 2;
} else {
  try {
    process.exitCode = await command(args);
  } catch (error) {
    console.error(`recapito ${name}: ${(error as Error).message}`);
    process.exitCode = 1;
  }
}
