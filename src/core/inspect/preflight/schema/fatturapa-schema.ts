// The official FatturaPA schema, read from the shipped resources/fatturapa folder on first use and
// kept compiled for the life of the process.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseXml } from '../../../xml/safe-xml.ts';
import { compileXsd } from './xsd-compiler.ts';
import type { CompiledSchema } from './xsd-model.ts';

export const FATTURAPA_SCHEMA_FILE = 'Schema_del_file_xml_FatturaPA_v1.2.2.xsd';
export const FATTURAPA_SCHEMA_VERSION = '1.2.2';

/** Where the schema may be: next to the packaged app (Electron's resources), then the repository's resources/. */
export function fatturaPaSchemaLocations(): string[] {
  const locations: string[] = [];
  const resourcesPath = (process as { resourcesPath?: string }).resourcesPath;
  if (resourcesPath) locations.push(join(resourcesPath, 'fatturapa', FATTURAPA_SCHEMA_FILE));
  // src/core/inspect/preflight/schema (or dist/…) → repository root.
  locations.push(fileURLToPath(new URL(`../../../../../resources/fatturapa/${FATTURAPA_SCHEMA_FILE}`, import.meta.url)));
  return locations;
}

function loadSchemaFile(file: string): CompiledSchema {
  return compileXsd(parseXml(readFileSync(file)));
}

let cached: { schema: CompiledSchema } | { error: Error } | undefined;

/** The compiled schema; throws (every time, without retrying the disk) if it cannot be read or compiled. */
export function fatturaPaSchema(): CompiledSchema {
  if (!cached) {
    try {
      const file = fatturaPaSchemaLocations().find((candidate) => existsSync(candidate));
      if (!file) throw new Error(`the FatturaPA schema ${FATTURAPA_SCHEMA_FILE} is not installed (looked in ${fatturaPaSchemaLocations().join(', ')})`);
      cached = { schema: loadSchemaFile(file) };
    } catch (error) {
      cached = { error: error instanceof Error ? error : new Error(String(error)) };
    }
  }
  if ('error' in cached) throw cached.error;
  return cached.schema;
}
