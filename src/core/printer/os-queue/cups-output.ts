// Reading what the CUPS tools print (run in the C locale, see command-runner.ts).

/** `lpstat -v NAME` → the device URI, e.g. "device for Recapito-Demo: ipp://127.0.0.1:8631/ipp/print/demo". */
export function parseLpstatDevice(stdout: string): string | null {
  for (const line of stdout.split('\n')) {
    const match = /^device for [^:]+:\s*(\S+)\s*$/.exec(line.trim());
    if (match) return match[1]!;
  }
  return null;
}

/**
 * `lpoptions -p NAME` prints the queue's attributes on one line, `key=value` separated by spaces.
 * CUPS wraps a value in single quotes when it holds a space or a tab, and escapes nothing
 * (printer-info='Recapito – Dell'Acqua Srl'); a key alone is an attribute with no value. So a
 * quoted value ends at the first quote followed by the end or by the next "key" / "key=".
 */
export function parseLpoptions(stdout: string): Record<string, string> {
  const options: Record<string, string> = {};
  const text = stdout.trim();
  let i = 0;
  while (i < text.length) {
    while (i < text.length && /\s/.test(text[i]!)) i++;
    const keyMatch = /^[^=\s]+/.exec(text.slice(i));
    if (!keyMatch) break;
    const key = keyMatch[0];
    i += key.length;
    let value = '';
    if (text[i] === '=') {
      i++;
      const quotedEnd = text[i] === "'" ? closingQuote(text, i + 1) : -1;
      if (quotedEnd >= 0) {
        value = text.slice(i + 1, quotedEnd);
        i = quotedEnd + 1;
      } else {
        const raw = /^\S*/.exec(text.slice(i))![0];
        value = raw;
        i += raw.length;
      }
    }
    options[key] = value;
  }
  return options;
}

function closingQuote(text: string, from: number): number {
  for (let j = text.indexOf("'", from); j >= 0; j = text.indexOf("'", j + 1)) {
    if (j === text.length - 1 || /^\s+[A-Za-z0-9._-]+(=|\s|$)/.test(text.slice(j + 1))) return j;
  }
  return -1;
}

/** `lpoptions -p NAME -l` lists the PPD's options; a raw queue (no PPD) prints nothing and "Unable to get PPD file". */
export function hasPpdOptions(result: { code: number; stdout: string; stderr: string }): boolean {
  return result.code === 0 && result.stdout.trim() !== '' && !/unable to get ppd/i.test(result.stderr);
}

export function isForbidden(stderr: string): boolean {
  return /forbidden|unauthori[sz]ed|not authori[sz]ed|authentication (required|failed)|password/i.test(stderr);
}

export function isSchedulerDown(stderr: string): boolean {
  return /scheduler is not running|unable to connect to server|connection refused|bad file descriptor|no such file or directory.*cups\.sock/i.test(stderr);
}

export function isUnknownQueue(stderr: string): boolean {
  return /invalid destination|unknown (destination|printer)|does not exist|no destinations added|not found/i.test(stderr);
}
