// Reading the "RECAPITO-RESULT {json}" line the PowerShell scripts print (powershell-scripts.ts).
import { z } from 'zod';
import { RESULT_MARKER } from './powershell-scripts.ts';
import type { QueueErrorCode, QueueState } from './queue-types.ts';

const failureSchema = z.object({
  ok: z.literal(false),
  code: z.enum(['forbidden', 'not_supported', 'command_failed']),
  message: z.string(),
  elevated: z.boolean().optional(),
});

export type ScriptFailure = { ok: false; code: QueueErrorCode; message: string; elevated?: boolean | undefined };

const installSchema = z.union([
  z.object({
    ok: z.literal(true),
    name: z.string(),
    renamedFrom: z.string().nullable(),
    driverName: z.string(),
    portName: z.string(),
    elevated: z.boolean().optional(),
  }),
  failureSchema,
]);

const uninstallSchema = z.union([z.object({ ok: z.literal(true), removed: z.number().int().min(0) }), failureSchema]);

const statusSchema = z.union([
  z.object({ ok: z.literal(true), installed: z.literal(false) }),
  z.object({
    ok: z.literal(true),
    installed: z.literal(true),
    name: z.string(),
    driverName: z.string(),
    portName: z.string(),
    portDescription: z.string().nullable().optional(),
    portHost: z.string().nullable().optional(),
    printerStatus: z.string(),
  }),
  failureSchema,
]);

export type InstallOutcome = z.infer<typeof installSchema>;
export type UninstallOutcome = z.infer<typeof uninstallSchema>;
export type StatusOutcome = z.infer<typeof statusSchema>;

/** Thrown when the output holds no valid result line: PowerShell itself failed or printed something else. */
export class ScriptOutputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScriptOutputError';
  }
}

export function parseInstallOutput(stdout: string): InstallOutcome {
  return parseWith(installSchema, stdout);
}

export function parseUninstallOutput(stdout: string): UninstallOutcome {
  return parseWith(uninstallSchema, stdout);
}

export function parseStatusOutput(stdout: string): StatusOutcome {
  return parseWith(statusSchema, stdout);
}

/** The queue state a status result describes. */
export function toQueueState(outcome: Extract<StatusOutcome, { ok: true }>): QueueState {
  if (!outcome.installed) return { installed: false };
  const status = outcome.printerStatus;
  return {
    installed: true,
    uri:
      [outcome.portName, outcome.portHost, outcome.portDescription].find(
        (value): value is string => typeof value === 'string' && /^(https?|ipps?):\/\//i.test(value),
      ) ?? null,
    driverless: /IPP Class Driver/i.test(outcome.driverName),
    enabled: !/Paused|PendingDeletion/i.test(status),
    accepting: !/PendingDeletion/i.test(status),
  };
}

function parseWith<T>(schema: z.ZodType<T>, stdout: string): T {
  // The last marked line wins: a module may print warnings before it, never after.
  const line = stdout
    .split(/\r?\n/)
    .reverse()
    .find((candidate) => candidate.startsWith(RESULT_MARKER));
  if (line === undefined) throw new ScriptOutputError('PowerShell printed no result line');
  let value: unknown;
  try {
    value = JSON.parse(line.slice(RESULT_MARKER.length));
  } catch (error) {
    throw new ScriptOutputError(`PowerShell printed an unreadable result: ${(error as Error).message}`);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success)
    throw new ScriptOutputError(
      `PowerShell printed an unexpected result: ${parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'} ${issue.message}`).join('; ')}`,
    );
  return parsed.data;
}
