// The agent's settings as the local API shows them (GET /config) and takes them back (PUT /config):
// plain types for the UI, mirroring src/core/config/settings-schema.ts (the core validates; this
// side only describes). Secrets are never part of the settings: only whether each one is set.

import type { PreflightMode } from './invoice.ts';
import type { SecretName } from './secrets.ts';
import type { SendingMode } from './approval.ts';

export type HubTransport = 'https' | 'sftp';
export type SftpAuth = 'key' | 'password';
export type FolderPostAction = 'move' | 'delete' | 'leave';
export type LogLevelSetting = 'error' | 'warn' | 'info' | 'debug';
/** `intake.preflight`: preflight's errors block sending, or are only shown as warnings. */
export type PreflightSetting = PreflightMode;

export interface SftpSettingsData {
  host: string;
  port: number;
  username: string;
  /** Folder on the server that holds in/ and out/. */
  root: string;
  /** `SHA256:…` as `ssh-keygen -l` prints it; pinned, never trusted on first use. */
  hostKeyFingerprint: string;
  auth: SftpAuth;
  connections: number;
  pollSeconds: number;
  keepaliveSeconds: number;
  connectTimeoutSeconds: number;
}

export interface HubSettingsData {
  transport: HubTransport;
  sftp: SftpSettingsData | null;
  url: string | null;
  caFile: string | null;
  companyId: string | null;
  accountPollSeconds: number;
  eventsLongPollSeconds: number;
  requestTimeoutSeconds: number;
  outageProbeBaseMs: number;
  outageProbeCapMs: number;
}

export interface FolderSettingsData {
  path: string;
  postAction: FolderPostAction;
  usePolling: boolean;
}

export interface ProfileSettingsData {
  id: string;
  name: string;
  hubCompanyId: string | null;
  folders: FolderSettingsData[];
  returnFolder: string | null;
  /** Send at once, or only once a person approves each document (docs/approval.md). Old files' `requireApproval: true` reads as "manual". */
  sending: SendingMode;
  /** With manual sending: the approver must be another registered person than the one who captured the document. */
  dualControl: boolean;
  printer: { enabled: boolean; queueName: string | null };
}

export interface SettingsData {
  version: 1;
  hub: HubSettingsData;
  api: { port: number; host: string };
  printer: { enabled: boolean; port: number; maxJobBytes: number };
  profiles: ProfileSettingsData[];
  intake: {
    stableWindowMs: number;
    concurrency: number;
    memoryBudgetBytes: number;
    rescanIntervalMs: number;
    maxFileBytes: number;
    zip: { maxEntries: number; maxTotalBytes: number; maxEntryBytes: number; maxRatio: number; maxDepth: number };
    preflight: PreflightSetting;
  };
  outbox: { concurrency: number; memoryBudgetBytes: number; leaseSeconds: number; backoffBaseMs: number; backoffCapMs: number };
  retention: { historyDays: number; spoolDays: number; purgeIntervalHours: number };
  log: { level: LogLevelSetting; maxFileBytes: number; maxFiles: number };
}

/** A secret's name (contract/secrets.ts). */
export type SecretKey = SecretName;

/** GET /config. */
export interface SettingsView {
  settings: SettingsData;
  /** Whether each secret is set; the values never leave the agent. */
  secrets: Record<SecretKey, boolean>;
  /** False when the agent runs with fixed settings (edit its config file instead). */
  editable: boolean;
}

/** PUT /config, when the settings were applied and saved. */
export interface SettingsSaved {
  settings: SettingsData;
  /** Parts that take effect only at the next start (`api`, `log`). */
  restartRequired: string[];
}

/** One refused field of a 400 `invalid_config`: `error.details.errors`. */
export interface SettingsFieldError {
  /** e.g. `hub.sftp.port`, `profiles[0].folders[1].path`; `(root)` for the whole object. */
  path: string;
  message: string;
}

/** PUT /credentials: write-only, any subset. */
export type CredentialsUpdate = Partial<Record<SecretKey, string>>;

export type ConnectionStage = 'dns' | 'tcp' | 'tls' | 'host_key' | 'auth' | 'permissions';

/** POST /hub/test: the stages in order, stopping at the first that failed. */
export interface ConnectionTestResult {
  ok: boolean;
  stages: { stage: ConnectionStage; ok: boolean; message: string }[];
}
