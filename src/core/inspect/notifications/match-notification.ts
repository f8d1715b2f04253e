// Which document a notification is about: by IdentificativoSdI, else by NomeFile (the transmitted
// invoice's name inside the XML). Never by the notification's own file name, and never a guess:
// more than one candidate left means no match.
import type { SdiNotification } from './notification-types.ts';

export interface NotificationCandidate {
  id: string;
  sdiId: string | null;
  sdiFileName: string | null;
}

export function matchNotification(n: SdiNotification, candidates: NotificationCandidate[]): string | null {
  const sdiId = n.identificativoSdI ? canonicalId(n.identificativoSdI) : null;
  const name = n.nomeFile ? n.nomeFile.toLowerCase() : null;
  const sameName = (c: NotificationCandidate): boolean => name !== null && c.sdiFileName?.toLowerCase() === name;

  if (sdiId !== null) {
    const byId = candidates.filter((c) => c.sdiId !== null && canonicalId(c.sdiId) === sdiId);
    if (byId.length === 1) return byId[0]!.id;
    // The same SDI id twice should not happen; the file name may still tell them apart.
    if (byId.length > 1) return only(byId.filter(sameName));
  }
  // A candidate with another SDI id is another transmission, even under the same file name.
  return only(candidates.filter((c) => (sdiId === null || c.sdiId === null) && sameName(c)));
}

function only(candidates: NotificationCandidate[]): string | null {
  return candidates.length === 1 ? candidates[0]!.id : null;
}

/** IdentificativoSdI is an integer: 0111 and 111 are the same. */
function canonicalId(value: string): string {
  return value
    .trim()
    .replace(/^\+/, '')
    .replace(/^0+(?=\d)/, '');
}
