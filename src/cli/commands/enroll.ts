// `recapito enroll CODE | --code-file FILE | (RECAPITO_ACTIVATION_CODE)`: trades a one-time activation
// code for the hub API key (docs/enrollment.md). Through the running agent's local API when an agent
// runs on the data folder (it then sends with the new key at once), else directly: the data folder's
// settings and its 0600 secrets file. The key is never printed; the exit code says what to do next.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { resolveDataDir } from '../../core/config/running-agents.ts';
import { dataPaths } from '../../core/config/data-dir.ts';
import { loadSettings } from '../../core/config/config-store.ts';
import { preparePrivateDataDir } from '../../core/config/private-data.ts';
import { createFileSecretStore, knownSecretValues } from '../../core/config/secret-store.ts';
import { createLogger } from '../../core/log/logger.ts';
import { InstanceLock } from '../../core/store/instance-lock.ts';
import { AgentError } from '../../core/agent-error.ts';
import { enrollDevice } from '../../core/agent/enrollment.ts';
import { ROUTES } from '../../contract/routes.ts';
import { ENROLL_REFUSAL_TEXT, isEnrollRefusal, keyExpiry, type EnrollRefusal, type EnrollRequest, type EnrollmentResult } from '../../contract/enrollment.ts';
import { LocalApiError, apiTarget, callApi } from '../local-api-client.ts';

/** The environment variable a deployment tool puts the code in (never on the command line of a shared machine). */
export const ACTIVATION_CODE_ENV = 'RECAPITO_ACTIVATION_CODE';

/** Exit codes (docs/enrollment.md#exit-codes): stable, for deployment tools. */
export const ENROLL_EXIT = {
  enrolled: 0,
  /** Anything unexpected, the hub failing, the key not stored. */
  failed: 1,
  /** No code, a malformed code or device name, wrong options. */
  usage: 2,
  /** The hub refused the code: wrong, already used or expired. Ask for a new one. */
  codeRefused: 3,
  /** The hub could not be reached or is not trusted: try again later with the same code. */
  hubUnreachable: 4,
  /** This data folder cannot enroll as it is set up (no hub address, SFTP, a key from the environment, the desktop app's folder). */
  setup: 5,
} as const;

const EXIT_FOR: Readonly<Record<EnrollRefusal, number>> = {
  invalid_activation_code: ENROLL_EXIT.codeRefused,
  bad_activation_code: ENROLL_EXIT.usage,
  bad_device_name: ENROLL_EXIT.usage,
  hub_unreachable: ENROLL_EXIT.hubUnreachable,
  hub_untrusted: ENROLL_EXIT.hubUnreachable,
  hub_error: ENROLL_EXIT.failed,
  no_hub: ENROLL_EXIT.setup,
  not_https: ENROLL_EXIT.setup,
  key_from_environment: ENROLL_EXIT.setup,
  key_not_stored: ENROLL_EXIT.failed,
};

/** The exit code for a refusal. */
export function exitCodeFor(code: EnrollRefusal): number {
  return EXIT_FOR[code];
}

const USAGE = `usage: recapito enroll CODE | --code-file FILE [--device-name NAME] [--data DIR] [--json]
       ${ACTIVATION_CODE_ENV}=CODE recapito enroll [--device-name NAME] [--data DIR] [--json]`;

type Language = 'it' | 'en';

const TEXT = {
  it: {
    enrolled: (device: string, account: string, id: string) => `Attivato: questo computer ("${device}") invia per ${account} (${id}).`,
    key: (id: string, until: string | null, where: string) =>
      `Chiave API ${id}${until ? `, valida fino al ${until}` : ', senza scadenza'}: custodita ${where}, non viene mostrata.`,
    whereAgent: "dall'agente in esecuzione (archivio dei segreti)",
    whereFile: (file: string) => `in ${file} (leggibile solo da te)`,
    companies: 'Aziende:',
    noCompanies: "Aziende: non lette (l'agente le legge al prossimo controllo dell'account).",
    credits: (n: number) => `Crediti: ${n}`,
    soon: (days: number) => `Attenzione: la chiave scade tra ${days} ${days === 1 ? 'giorno' : 'giorni'}. Chiedi un nuovo codice al fornitore.`,
    detail: 'Dettaglio',
    desktopFolder: (dir: string) =>
      `${dir} è la cartella dell'app Recapito per desktop, i cui segreti sono custoditi dal sistema operativo: apri Recapito e attiva dalla sua finestra, oppure esegui di nuovo questo comando mentre l'app è aperta.`,
    agentSilent: (dir: string, why: string) => `Un agente Recapito usa ${dir}, ma la sua API locale non risponde (${why}). Riprova quando è avviato.`,
  },
  en: {
    enrolled: (device: string, account: string, id: string) => `Enrolled: this computer ("${device}") now sends for ${account} (${id}).`,
    key: (id: string, until: string | null, where: string) =>
      `API key ${id}${until ? `, valid until ${until}` : ', with no expiry'}: kept ${where}, never shown.`,
    whereAgent: 'by the running agent (in its secret store)',
    whereFile: (file: string) => `in ${file} (readable by you only)`,
    companies: 'Companies:',
    noCompanies: 'Companies: not read yet (the agent reads them at its next account check).',
    credits: (n: number) => `Credits: ${n}`,
    soon: (days: number) => `Warning: the key expires in ${days} ${days === 1 ? 'day' : 'days'}. Ask your provider for a new code.`,
    detail: 'Detail',
    desktopFolder: (dir: string) =>
      `${dir} is the Recapito desktop app's folder, whose secrets the operating system keeps: open Recapito and enroll from its window, or run this command again while the app runs.`,
    agentSilent: (dir: string, why: string) => `A Recapito agent uses ${dir}, but its local API does not answer (${why}). Try again once it has started.`,
  },
} as const;

/** Italian when the environment's language is (LC_ALL, LC_MESSAGES, LANG), else English. */
export function cliLanguage(env: NodeJS.ProcessEnv = process.env): Language {
  const tag = env['LC_ALL'] || env['LC_MESSAGES'] || env['LANG'] || '';
  return /^it([_.@-]|$)/i.test(tag) ? 'it' : 'en';
}

interface Refused {
  code: EnrollRefusal;
  detail: string | null;
}

export async function enrollCommand(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const language = cliLanguage(env);
  let values: { 'code-file'?: string; 'device-name'?: string; data?: string; json?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args,
      options: { 'code-file': { type: 'string' }, 'device-name': { type: 'string' }, data: { type: 'string' }, json: { type: 'boolean' } },
      allowPositionals: true,
      strict: true,
    }));
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return ENROLL_EXIT.usage;
  }
  const code = await activationCode(positionals, values['code-file'], env);
  if (typeof code === 'number') return code;
  const request: EnrollRequest = { activationCode: code, ...(values['device-name'] !== undefined ? { deviceName: values['device-name'] } : {}) };

  const dataDir = await resolveDataDir(values.data, env);
  let outcome: { result: EnrollmentResult; where: string } | Refused | { exit: number; message: string };
  const direct = await enrollDirectly(dataDir, request, language, env);
  if (direct === 'agent_running') outcome = await enrollThroughAgent(dataDir, request, language);
  else outcome = direct;

  if ('exit' in outcome) {
    console.error(`recapito enroll: ${outcome.message}`);
    return outcome.exit;
  }
  if ('code' in outcome) {
    const text = TEXT[language];
    console.error(`recapito enroll: ${ENROLL_REFUSAL_TEXT[language][outcome.code]}`);
    if (outcome.detail) console.error(`${text.detail}: ${outcome.detail}`);
    return exitCodeFor(outcome.code);
  }
  if (values.json) console.log(JSON.stringify(outcome.result, null, 2));
  else printResult(outcome.result, outcome.where, language);
  return ENROLL_EXIT.enrolled;
}

/** The code from exactly one place: the argument, the file (`-`: standard input), or the environment. */
async function activationCode(positionals: string[], codeFile: string | undefined, env: NodeJS.ProcessEnv): Promise<string | number> {
  if (positionals.length > 1 || (positionals.length === 1 && codeFile !== undefined)) {
    console.error(`give the activation code once: as the argument, or with --code-file\n${USAGE}`);
    return ENROLL_EXIT.usage;
  }
  if (positionals[0] !== undefined) return positionals[0];
  if (codeFile !== undefined) {
    try {
      const text = codeFile === '-' ? await readStdin() : await readFile(codeFile, 'utf8');
      // The first line that holds something: a file written by `echo CODE > file` ends with a newline.
      return (
        text
          .split(/\r?\n/)
          .find((line) => line.trim() !== '')
          ?.trim() ?? ''
      );
    } catch (error) {
      console.error(`cannot read the activation code from ${codeFile}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
      return ENROLL_EXIT.usage;
    }
  }
  const fromEnv = env[ACTIVATION_CODE_ENV]?.trim();
  if (fromEnv) return fromEnv;
  console.error(`no activation code: give it as the argument, with --code-file FILE, or in ${ACTIVATION_CODE_ENV}\n${USAGE}`);
  return ENROLL_EXIT.usage;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
    chunks.push(chunk);
    size += chunk.length;
    if (size > 64 * 1024) break; // a code is a line; more is not a code
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * No agent on the folder: enroll here, with its settings and its secrets file, holding the folder's
 * lock so that no agent starts half-way (it would not see the new key until restarted).
 * 'agent_running' when an agent holds the lock: the caller goes through its API.
 */
async function enrollDirectly(
  dataDir: string,
  request: EnrollRequest,
  language: Language,
  env: NodeJS.ProcessEnv,
): Promise<{ result: EnrollmentResult; where: string } | Refused | { exit: number; message: string } | 'agent_running'> {
  const paths = dataPaths(dataDir);
  const lock = new InstanceLock(join(dataDir, 'agent.lock'));
  try {
    lock.acquire();
  } catch (error) {
    if (error instanceof AgentError && error.code === 'already_running') return 'agent_running';
    return { exit: ENROLL_EXIT.failed, message: (error as Error).message };
  }
  try {
    if (existsSync(join(dataDir, 'secrets.safe.json'))) return { exit: ENROLL_EXIT.setup, message: TEXT[language].desktopFolder(dataDir) };
    let settings;
    try {
      settings = await loadSettings(paths.config);
    } catch (error) {
      return { exit: ENROLL_EXIT.setup, message: (error as Error).message };
    }
    let secrets;
    try {
      secrets = await createFileSecretStore(paths.secrets, env);
    } catch (error) {
      return { exit: ENROLL_EXIT.failed, message: (error as Error).message };
    }
    const log = createLogger({
      dir: paths.logs,
      level: settings.log.level,
      maxFileBytes: settings.log.maxFileBytes,
      maxFiles: settings.log.maxFiles,
      secrets: () => [...knownSecretValues(secrets), request.activationCode],
    });
    preparePrivateDataDir(dataDir, log.child('files'));
    try {
      const result = await enrollDevice({ hub: settings.hub, secrets, log: log.child('enroll'), request });
      return { result, where: TEXT[language].whereFile(paths.secrets) };
    } catch (error) {
      return refusalOf(error);
    }
  } finally {
    lock.release();
  }
}

async function enrollThroughAgent(
  dataDir: string,
  request: EnrollRequest,
  language: Language,
): Promise<{ result: EnrollmentResult; where: string } | Refused | { exit: number; message: string }> {
  let target;
  try {
    target = await apiTarget(dataDir);
  } catch (error) {
    return { exit: ENROLL_EXIT.failed, message: TEXT[language].agentSilent(dataDir, (error as Error).message) };
  }
  try {
    const body = { bytes: Buffer.from(JSON.stringify(request), 'utf8'), headers: { 'Content-Type': 'application/json' } };
    const result = await callApi(target, ROUTES.enroll, { body });
    return { result, where: TEXT[language].whereAgent };
  } catch (error) {
    if (error instanceof LocalApiError) {
      if (isEnrollRefusal(error.code)) return { code: error.code, detail: detailOf(error.details) };
      return { exit: ENROLL_EXIT.failed, message: error.message };
    }
    return { exit: ENROLL_EXIT.failed, message: TEXT[language].agentSilent(dataDir, (error as Error).message) };
  }
}

function refusalOf(error: unknown): Refused | { exit: number; message: string } {
  if (error instanceof AgentError && isEnrollRefusal(error.code)) return { code: error.code, detail: detailOf(error.details) };
  return { exit: ENROLL_EXIT.failed, message: error instanceof Error ? error.message : String(error) };
}

function detailOf(details: unknown): string | null {
  const detail = (details as { detail?: unknown } | null)?.detail;
  return typeof detail === 'string' ? detail : null;
}

function printResult(result: EnrollmentResult, where: string, language: Language): void {
  const text = TEXT[language];
  console.log(text.enrolled(result.deviceName, result.account.name, result.account.id));
  console.log(text.key(result.key.id, result.key.expiresAt?.slice(0, 10) ?? null, where));
  if (result.companies === null) console.log(text.noCompanies);
  else {
    console.log(text.companies);
    for (const company of result.companies) console.log(`  ${company.name}  ${company.vatNumber}  (${company.id})`);
  }
  if (result.credits !== null) console.log(text.credits(result.credits));
  const expiry = keyExpiry(result.key.expiresAt, Date.now());
  if (expiry.level === 'soon' && expiry.daysLeft !== null) console.log(text.soon(expiry.daysLeft));
}
