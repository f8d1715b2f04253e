// Text from the network (a hub's error body, an SFTP server's message) goes into messages a person
// reads: one line, printable, bounded.

/** `text` on one line: control characters and runs of white space become one space, cut at `maxChars`. */
export function sanitize(text: string, maxChars: number): string {
  const clean = text
    // eslint-disable-next-line no-control-regex -- removing control characters is the point
    .replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return clean.length > maxChars ? `${clean.slice(0, maxChars - 1)}…` : clean;
}
