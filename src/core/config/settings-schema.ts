// The agent's settings: one JSON file (docs/configuration.md). Strict on purpose: an unknown key is
// a typo the user wants to hear about, and a key that looks like a secret is refused because
// secrets live in the secret store, never in a file that ends up in support bundles.
import path from 'node:path';
import { z } from 'zod';

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

const LOOPBACK_HOSTS = ['127.0.0.1', '::1', 'localhost'] as const;

/** Keys that name a secret. Matched anywhere in the input, at any depth, case-insensitively. */
const SECRET_KEY_PATTERN = /api[-_]?key|password|passwd|token|secret|passphrase|private[-_]?key|credential/i;

function wholeNumber(min: number, max: number) {
  return z.number().int().min(min).max(max);
}

const absolutePath = z.string().superRefine((value, ctx) => {
  if (value.trim() === '') {
    ctx.addIssue({ code: 'custom', message: 'Must be a folder or file path, not an empty string.' });
  } else if (value.includes('\0')) {
    ctx.addIssue({ code: 'custom', message: 'Must not contain a NUL character.' });
  } else if (!path.isAbsolute(value)) {
    ctx.addIssue({ code: 'custom', message: `Must be an absolute path (for example ${exampleAbsolutePath()}), not "${value}".` });
  }
});

function exampleAbsolutePath(): string {
  return process.platform === 'win32' ? 'C:\\Fatture\\Uscita' : '/srv/fatture/uscita';
}

const hubUrl = z.string().superRefine((value, ctx) => {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    ctx.addIssue({ code: 'custom', message: `Must be a full https:// address such as https://hub.example.com, not "${value}".` });
    return;
  }
  if (url.protocol !== 'https:') {
    ctx.addIssue({ code: 'custom', message: `Must use https:// (found ${url.protocol}//): the API key travels with every request and must be encrypted.` });
  } else if (url.username !== '' || url.password !== '') {
    ctx.addIssue({ code: 'custom', message: 'Must not contain a user name or password: secrets go in the secret store, not in the config file.' });
  }
});

const hostKeyFingerprint = z.string().superRefine((value, ctx) => {
  if (!/^SHA256:[A-Za-z0-9+/]{43}$/.test(value)) {
    ctx.addIssue({
      code: 'custom',
      message: `Must be a SHA-256 host key fingerprint as ssh-keygen -l prints it (SHA256: followed by 43 characters), not "${value}". Get it with "recapito sftp-fingerprint HOST".`,
    });
  }
});

const sftpSchema = z.strictObject({
  host: z.string().trim().min(1),
  port: wholeNumber(1, 65_535).default(22),
  username: z.string().min(1),
  /** Folder on the server that holds in/ and out/. */
  root: z.string().min(1).default('.'),
  /** Pinned; never trusted on first use. */
  hostKeyFingerprint,
  auth: z.enum(['key', 'password']).default('key'),
  connections: wholeNumber(1, 8).default(2),
  pollSeconds: wholeNumber(1, 3600).default(5),
  keepaliveSeconds: wholeNumber(1, 3600).default(15),
  connectTimeoutSeconds: wholeNumber(1, 600).default(15),
});

const hubSchema = z.strictObject({
  transport: z.enum(['https', 'sftp']).default('https'),
  sftp: sftpSchema.nullable().default(null),
  url: hubUrl.nullable().default(null),
  caFile: absolutePath.nullable().default(null),
  companyId: z.string().min(1).nullable().default(null),
  accountPollSeconds: wholeNumber(1, 86_400).default(300),
  eventsLongPollSeconds: wholeNumber(0, 120).default(25),
  requestTimeoutSeconds: wholeNumber(1, 600).default(30),
  /** While the hub is unreachable, one probe asks it again after a delay drawn from 0 … base·2^n, capped (docs/hub-outages.md). */
  outageProbeBaseMs: wholeNumber(250, 60_000).default(1000),
  outageProbeCapMs: wholeNumber(5000, 900_000).default(180_000),
});

const apiSchema = z.strictObject({
  port: wholeNumber(0, 65_535).default(7420),
  host: z
    .string()
    .default('127.0.0.1')
    .superRefine((value, ctx) => {
      if (!(LOOPBACK_HOSTS as readonly string[]).includes(value)) {
        ctx.addIssue({
          code: 'custom',
          message: `Must be a loopback address (${LOOPBACK_HOSTS.join(', ')}), not "${value}": the local API is for this computer only.`,
        });
      }
    }),
});

const printerSchema = z.strictObject({
  /** Serve the virtual printer (one IPP Everywhere queue per profile) on loopback. */
  enabled: z.boolean().default(true),
  /** Fixed by default: an installed OS queue remembers this URL. 0 picks any free port (demo, tests). */
  port: wholeNumber(0, 65_535).default(8631),
  /** Largest print job accepted, after decompression. */
  maxJobBytes: wholeNumber(1024 * 1024, 4 * GiB).default(100 * MiB),
});

const profilePrinterSchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** The queue's name in the OS print system; default "Recapito – <profile name>". */
  queueName: z.string().trim().min(1).max(127).nullable().default(null),
});

const folderSchema = z.strictObject({
  path: absolutePath,
  postAction: z.enum(['move', 'delete', 'leave']).default('move'),
  usePolling: z.boolean().default(false),
});

const profileSchema = z
  .strictObject({
    id: z.string().superRefine((value, ctx) => {
      if (!/^[a-z0-9-]{1,40}$/.test(value)) {
        ctx.addIssue({ code: 'custom', message: `Must be 1 to 40 lowercase letters, digits or dashes (like "main-office"), not "${value}".` });
      }
    }),
    name: z.string().trim().min(1).max(200),
    hubCompanyId: z.string().min(1).nullable().default(null),
    folders: z.array(folderSchema).default(() => []),
    returnFolder: absolutePath.nullable().default(null),
    /** "manual": each document waits for a person to approve or refuse it (docs/approval.md). */
    sending: z.enum(['automatic', 'manual']).optional(),
    /** With manual sending: the approver must be another registered person than the one who captured it. */
    dualControl: z.boolean().default(false),
    /** The first spelling of `sending: "manual"`: still read, never written, so an old settings file keeps working. */
    requireApproval: z.boolean().optional(),
    printer: profilePrinterSchema.prefault({}),
  })
  .superRefine((profile, ctx) => {
    if (profile.requireApproval !== undefined && profile.sending !== undefined && profile.requireApproval !== (profile.sending === 'manual')) {
      ctx.addIssue({
        code: 'custom',
        path: ['requireApproval'],
        message: `"requireApproval" is the old spelling of "sending" and says the opposite of "sending": "${profile.sending}"; remove it.`,
      });
    }
  })
  .transform(({ requireApproval, sending, ...profile }) => ({
    ...profile,
    sending: sending ?? (requireApproval === true ? ('manual' as const) : ('automatic' as const)),
  }));

const zipSchema = z.strictObject({
  maxEntries: wholeNumber(1, 100_000).default(1000),
  maxTotalBytes: wholeNumber(1, 16 * GiB).default(200 * MiB),
  maxEntryBytes: wholeNumber(1, 4 * GiB).default(20 * MiB),
  maxRatio: wholeNumber(1, 100_000).default(200),
  maxDepth: wholeNumber(0, 5).default(2),
});

const intakeSchema = z.strictObject({
  stableWindowMs: wholeNumber(50, 60_000).default(500),
  /**
   * Files captured at once per watched folder. A capture mostly waits (its worker, the group commit's
   * fsync, the rename into sent/), so more in flight overlap more waits: 32 → 64 gave 1.22× the capture
   * rate in a burst for about 8 MiB more peak memory (docs/performance.md, decisions).
   */
  concurrency: wholeNumber(1, 256).default(64),
  /** Bytes of captured files held in memory at once, across all folders. */
  memoryBudgetBytes: wholeNumber(1024 * 1024, 4 * GiB).default(64 * MiB),
  rescanIntervalMs: wholeNumber(100, 86_400_000).default(30_000),
  maxFileBytes: wholeNumber(1, 4 * GiB).default(20 * MiB),
  zip: zipSchema.prefault({}),
  /**
   * Preflight's errors (docs/preflight.md) block sending (`block`), or are shown as warnings and
   * logged while the invoice goes to SDI anyway (`warn`: for a business hit by a false refusal).
   */
  preflight: z.enum(['block', 'warn']).default('block'),
});

const outboxSchema = z.strictObject({
  /** Uploads in parallel: with the hub's answer taking tens of milliseconds, one upload at a time would leave the line idle. */
  concurrency: wholeNumber(1, 64).default(16),
  /** Bytes of documents being uploaded held in memory at once. */
  memoryBudgetBytes: wholeNumber(1024 * 1024, 4 * GiB).default(64 * MiB),
  leaseSeconds: wholeNumber(5, 86_400).default(120),
  backoffBaseMs: wholeNumber(1, 3_600_000).default(1000),
  backoffCapMs: wholeNumber(1, 86_400_000).default(300_000),
});

const retentionSchema = z.strictObject({
  historyDays: wholeNumber(1, 36_500).default(3650),
  spoolDays: wholeNumber(1, 36_500).default(400),
  purgeIntervalHours: wholeNumber(1, 720).default(24),
});

const logSchema = z.strictObject({
  level: z.enum(['error', 'warn', 'info', 'debug']).default('info'),
  maxFileBytes: wholeNumber(KiB, GiB).default(5 * MiB),
  maxFiles: wholeNumber(0, 100).default(5),
});

const settingsSchema = z.strictObject({
  version: z.literal(1).default(1),
  hub: hubSchema.prefault({}),
  api: apiSchema.prefault({}),
  printer: printerSchema.prefault({}),
  profiles: z.array(profileSchema).default(() => []),
  intake: intakeSchema.prefault({}),
  outbox: outboxSchema.prefault({}),
  retention: retentionSchema.prefault({}),
  log: logSchema.prefault({}),
});

export type Settings = z.infer<typeof settingsSchema>;
export type ProfileSettings = Settings['profiles'][number];

export interface SettingsError {
  /** Where the problem is, e.g. `profiles[0].folders[1].path`; `(root)` for the whole file. */
  path: string;
  /** A human sentence saying what is wrong and what is expected. */
  message: string;
}

export type SettingsValidation = { ok: true; settings: Settings } | { ok: false; errors: SettingsError[] };

export function defaultSettings(): Settings {
  return settingsSchema.parse({});
}

export function validateSettings(input: unknown): SettingsValidation {
  const secretKeys = findSecretLikeKeys(input, []);
  const errors: SettingsError[] = secretKeys.map((keyPath) => ({
    path: formatPath(keyPath),
    message: `"${String(keyPath[keyPath.length - 1])}" looks like a secret: secrets go in the secret store (or a RECAPITO_* environment variable), never in the config file.`,
  }));
  const reported = new Set(errors.map((e) => e.path));

  const parsed = settingsSchema.safeParse(input, { reportInput: true });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      for (const error of describeIssue(issue)) {
        if (!reported.has(error.path)) errors.push(error);
      }
    }
  } else {
    errors.push(...crossFieldErrors(parsed.data));
  }

  // A failed parse always reports at least one issue, so errors is never empty here.
  if (errors.length > 0 || !parsed.success) return { ok: false, errors };
  return { ok: true, settings: parsed.data };
}

/** Rules that involve more than one field. Run on parsed settings, so the shapes are known. */
function crossFieldErrors(settings: Settings): SettingsError[] {
  const errors: SettingsError[] = [];
  const ids = new Map<string, number>();
  const folders = new Map<string, string>();

  settings.profiles.forEach((profile, p) => {
    const firstWithId = ids.get(profile.id);
    if (firstWithId !== undefined) {
      errors.push({ path: `profiles[${p}].id`, message: `The profile id "${profile.id}" is already used by profiles[${firstWithId}]; ids must be unique.` });
    } else {
      ids.set(profile.id, p);
    }
    profile.folders.forEach((folder, f) => {
      const here = `profiles[${p}].folders[${f}].path`;
      const key = comparablePath(folder.path);
      const owner = folders.get(key);
      if (owner !== undefined) {
        errors.push({ path: here, message: `The folder "${folder.path}" is already watched at ${owner}; a folder can belong to one profile only.` });
      } else {
        folders.set(key, here);
      }
    });
  });

  // A return folder that is also watched would feed the agent's own status files back to it.
  settings.profiles.forEach((profile, p) => {
    if (profile.returnFolder === null) return;
    const owner = folders.get(comparablePath(profile.returnFolder));
    if (owner !== undefined) {
      errors.push({
        path: `profiles[${p}].returnFolder`,
        message: `The return folder "${profile.returnFolder}" is also watched at ${owner}; the agent would capture its own status files.`,
      });
    }
  });

  settings.profiles.forEach((profile, p) => {
    if (profile.dualControl && profile.sending !== 'manual') {
      errors.push({
        path: `profiles[${p}].dualControl`,
        message: 'Dual control applies to documents a person approves: set "sending" to "manual", or "dualControl" to false.',
      });
    }
  });

  if (settings.hub.transport === 'sftp' && settings.hub.sftp === null) {
    errors.push({ path: 'hub.sftp', message: 'With "transport": "sftp" the SFTP server must be described here (host, username, hostKeyFingerprint).' });
  }

  const { zip } = settings.intake;
  if (zip.maxEntryBytes > zip.maxTotalBytes) {
    errors.push({ path: 'intake.zip.maxEntryBytes', message: `Must not be larger than intake.zip.maxTotalBytes (${zip.maxTotalBytes}).` });
  }
  if (settings.hub.outageProbeCapMs < settings.hub.outageProbeBaseMs) {
    errors.push({ path: 'hub.outageProbeCapMs', message: `Must not be smaller than hub.outageProbeBaseMs (${settings.hub.outageProbeBaseMs}).` });
  }
  const { outbox } = settings;
  if (outbox.backoffCapMs < outbox.backoffBaseMs) {
    errors.push({ path: 'outbox.backoffCapMs', message: `Must not be smaller than outbox.backoffBaseMs (${outbox.backoffBaseMs}).` });
  }
  return errors;
}

/** Same folder spelled differently (trailing slash, `..`, letter case where the OS ignores it) compares equal. */
function comparablePath(p: string): string {
  const normalized = path.resolve(p);
  return process.platform === 'win32' || process.platform === 'darwin' ? normalized.toLowerCase() : normalized;
}

function findSecretLikeKeys(value: unknown, at: PropertyKey[]): PropertyKey[][] {
  if (Array.isArray(value)) return value.flatMap((item, i) => findSecretLikeKeys(item, [...at, i]));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, child]) => (SECRET_KEY_PATTERN.test(key) ? [[...at, key]] : findSecretLikeKeys(child, [...at, key])));
}

export function formatPath(segments: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (typeof segment === 'string' && /^[A-Za-z_$][\w$]*$/.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(String(segment))}]`;
  }
  return out === '' ? '(root)' : out;
}

type Issue = z.core.$ZodIssue;

function describeIssue(issue: Issue): SettingsError[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({
      path: formatPath([...issue.path, key]),
      message: `"${key}" is not a known setting here; check the spelling and letter case (docs/configuration.md lists every setting).`,
    }));
  }
  return [{ path: formatPath(issue.path), message: describeProblem(issue) }];
}

function describeProblem(issue: Issue): string {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'This setting is required.';
      return `Must be ${describeExpected(issue.expected)}, but found ${describeValue(issue.input)}.`;
    case 'too_small':
      return describeBound(issue.origin, 'at least', issue.minimum);
    case 'too_big':
      return describeBound(issue.origin, 'at most', issue.maximum);
    case 'invalid_value':
      return issue.values.length === 1
        ? `Must be ${JSON.stringify(issue.values[0])}, but found ${describeValue(issue.input)}.`
        : `Must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, but found ${describeValue(issue.input)}.`;
    case 'invalid_union':
      return `Has the wrong kind of value (${describeValue(issue.input)}).`;
    default:
      return issue.message;
  }
}

function describeBound(origin: string, relation: 'at least' | 'at most', bound: number | bigint): string {
  switch (origin) {
    case 'string':
      return relation === 'at least' && Number(bound) === 1 ? 'Must not be empty.' : `Must be ${relation} ${bound} characters long.`;
    case 'array':
      return `Must have ${relation} ${bound} item${Number(bound) === 1 ? '' : 's'}.`;
    default:
      return `Must be ${relation} ${bound}.`;
  }
}

function describeExpected(expected: string): string {
  switch (expected) {
    case 'string':
      return 'text (a string in quotes)';
    case 'number':
      return 'a number';
    case 'int':
      return 'a whole number';
    case 'boolean':
      return 'true or false';
    case 'array':
      return 'a list ([...])';
    case 'object':
      return 'an object ({...})';
    case 'null':
      return 'null';
    default:
      return expected;
  }
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  switch (typeof value) {
    case 'string':
      return `the text ${JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value)}`;
    case 'number':
      return Number.isInteger(value) ? `the number ${value}` : `the number ${value} (not a whole number)`;
    case 'boolean':
      return `${value}`;
    case 'object':
      return 'an object';
    case 'undefined':
      return 'nothing';
    default:
      return `a ${typeof value}`;
  }
}
