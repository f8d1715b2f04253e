// Checks on the file itself rather than its content: name and size.
import { preflightError, preflightWarning } from './issue.ts';
import type { PreflightIssue } from './types.ts';

/** SDI's limit per invoice file. */
const SDI_MAX_FILE_BYTES = 5 * 1024 * 1024;

// Country code + transmitter id (11–16) + '_' + progressive (1–5 alphanumerics) + .xml / .xml.p7m.
const SDI_FILE_NAME = /^[A-Z]{2}[A-Za-z0-9]{11,16}_[A-Za-z0-9]{1,5}\.(?:xml|XML)(?:\.(?:p7m|P7M))?$/;

function baseName(fileName: string): string {
  return fileName.slice(Math.max(fileName.lastIndexOf('/'), fileName.lastIndexOf('\\')) + 1);
}

function megabytes(bytes: number): string {
  return (bytes / (1024 * 1024)).toFixed(1);
}

export function checkFile(fileName: string, size: number): PreflightIssue[] {
  const issues: PreflightIssue[] = [];
  if (size > SDI_MAX_FILE_BYTES) {
    issues.push(
      preflightError(
        'file_too_large',
        undefined,
        {
          it: `Il file è di ${megabytes(size)} MB: SDI accetta al massimo 5 MB per file. Ridurre o togliere gli allegati (Allegati), oppure dividere il lotto in più file.`,
          en: `The file is ${megabytes(size)} MB: SDI accepts at most 5 MB per file. Shrink or remove the attachments (Allegati), or split the batch into several files.`,
        },
        '00003',
      ),
    );
  }
  const name = baseName(fileName);
  if (!SDI_FILE_NAME.test(name)) {
    issues.push(
      preflightWarning(
        'file_name_not_sdi',
        undefined,
        {
          it: `Il nome "${name}" non segue la regola SDI (codice paese + identificativo del trasmittente di 11–16 caratteri + "_" + progressivo di 1–5 lettere o cifre + .xml o .xml.p7m, es. IT01234567890_00001.xml). Di norma non è un problema: l'hub, come trasmittente, rinomina il file prima di inviarlo a SDI.`,
          en: `The name "${name}" does not follow the SDI rule (country code + 11–16 character transmitter id + "_" + 1–5 letter or digit progressive + .xml or .xml.p7m, e.g. IT01234567890_00001.xml). Usually harmless: the hub, as transmitter, renames the file before sending it to SDI.`,
        },
        '00001',
      ),
    );
  }
  return issues;
}
