// The secrets the agent keeps (never in the settings file, never shown again once set): their names,
// shared by the secret stores, the local API's write-only /credentials, and the UI's secret fields.
export const SECRET_NAMES = ['hubApiKey', 'sftpPassword', 'sftpPrivateKey', 'sftpPassphrase'] as const;
export type SecretName = (typeof SECRET_NAMES)[number];
