// Conformance to the official FatturaPA XSD, as preflight issues.
import type { XmlElement } from '../../xml/safe-xml.ts';
import { preflightWarning } from './issue.ts';
import { FATTURAPA_SCHEMA_VERSION, fatturaPaSchema } from './schema/fatturapa-schema.ts';
import { validateInstance } from './schema/validate-instance.ts';
import type { PreflightIssue } from './types.ts';

export function checkSchema(root: XmlElement): PreflightIssue[] {
  let schema;
  try {
    schema = fatturaPaSchema();
  } catch (error) {
    // A broken installation must not stop invoices: SDI still validates. Say so instead.
    const reason = error instanceof Error ? error.message : String(error);
    return [
      preflightWarning('schema_unavailable', undefined, {
        it: `Il controllo di conformità allo schema FatturaPA ${FATTURAPA_SCHEMA_VERSION} non è stato eseguito (${reason}): SDI lo farà alla ricezione. Reinstallare il programma.`,
        en: `The FatturaPA ${FATTURAPA_SCHEMA_VERSION} schema check was not run (${reason}): SDI will do it on receipt. Reinstall the application.`,
      }),
    ];
  }
  return validateInstance(root, schema);
}
