// Which OS queue each profile should have: its display name and the agent's printer URI for it.
import type { Settings } from '../../config/settings-schema.ts';

export interface PrinterQueueTarget {
  profileId: string;
  profileName: string;
  /** What people see, e.g. "Recapito – Rossi Srl"; each print system derives its own queue name from it. */
  displayName: string;
  /** ipp://127.0.0.1:PORT/ipp/print/PROFILE, or null when the port is not known (see portProblem). */
  uri: string | null;
  /** profiles[].printer.enabled: this profile wants a queue. */
  enabled: boolean;
}

export interface PrinterQueuePlan {
  /** settings.printer.enabled: the agent serves the printer at all. */
  printerEnabled: boolean;
  port: number | null;
  portSource: 'printer-url' | 'settings' | null;
  /** Why no port is known, in words for a person. */
  portProblem: string | null;
  targets: PrinterQueueTarget[];
}

/** The branding's names (docs/white-label.md): `shortName` prefixes the queues, `productName` describes where they lead. */
export interface PrinterBrand {
  productName: string;
  shortName: string;
}

export const DEFAULT_PRINTER_BRAND: PrinterBrand = { productName: 'Recapito', shortName: 'Recapito' };

/** profiles[].printer.queueName, else "<short name> – <profile name>" ("Recapito – Rossi Srl" unbranded). */
export function queueDisplayName(profile: { name: string; printer: { queueName: string | null } }, brand: PrinterBrand = DEFAULT_PRINTER_BRAND): string {
  return profile.printer.queueName ?? `${brand.shortName} – ${profile.name}`;
}

/** The OS queue's location text: what print dialogs show under the name. */
export function queueLocation(brand: PrinterBrand = DEFAULT_PRINTER_BRAND): string {
  return `This computer (${brand.productName} virtual printer)`;
}

function printerUri(port: number, profileId: string): string {
  return `ipp://127.0.0.1:${port}/ipp/print/${encodeURIComponent(profileId)}`;
}

/**
 * The running agent writes its printer addresses to `printer-url` in the data folder, one per line
 * (optionally "<profile> <url>"): it is the truth when the configured port is 0 (any free port).
 * Returns the port for this profile's line, else any line's port, else null.
 */
export function portFromPrinterUrlFile(text: string, profileId?: string): number | null {
  let anyPort: number | null = null;
  for (const line of text.split(/\r?\n/)) {
    const tokens = line.trim().split(/\s+/).filter(Boolean);
    const last = tokens.at(-1);
    if (!last) continue;
    let url: URL;
    try {
      url = new URL(last);
    } catch {
      continue;
    }
    const port = Number(url.port || (url.protocol === 'ipp:' ? 631 : NaN));
    if (!Number.isInteger(port) || port < 1 || port > 65_535) continue;
    const forProfile =
      profileId !== undefined && (tokens.length > 1 ? tokens[0] === profileId : url.pathname.replace(/\/+$/, '').endsWith(`/${encodeURIComponent(profileId)}`));
    if (forProfile) return port;
    anyPort ??= port;
  }
  return anyPort;
}

export function planPrinterQueues(settings: Settings, printerUrlFile: string | null, brand: PrinterBrand = DEFAULT_PRINTER_BRAND): PrinterQueuePlan {
  const configured = settings.printer.port;
  const portFor = (profileId: string): { port: number | null; source: PrinterQueuePlan['portSource'] } => {
    const fromFile = printerUrlFile === null ? null : portFromPrinterUrlFile(printerUrlFile, profileId);
    if (fromFile !== null) return { port: fromFile, source: 'printer-url' };
    return configured === 0 ? { port: null, source: null } : { port: configured, source: 'settings' };
  };
  const overall = portFor('');
  const targets = settings.profiles.map((profile) => {
    const { port } = portFor(profile.id);
    return {
      profileId: profile.id,
      profileName: profile.name,
      displayName: queueDisplayName(profile, brand),
      uri: port === null ? null : printerUri(port, profile.id),
      enabled: profile.printer.enabled,
    };
  });
  return {
    printerEnabled: settings.printer.enabled,
    port: overall.port,
    portSource: overall.source,
    portProblem:
      overall.port === null
        ? 'the printer port is 0 in the settings (any free port) and no running agent has written its printer address (printer-url) yet: start the agent first, or set printer.port to a fixed port such as 8631'
        : null,
    targets,
  };
}
