// Page sizes from PWG 5101.1 self-describing media names: "iso_a4_210x297mm", "na_letter_8.5x11in".
export interface PageSizePoints {
  width: number;
  height: number;
}

const POINTS_PER_INCH = 72;
const MM_PER_INCH = 25.4;
const SELF_DESCRIBING_SIZE = /_(\d+(?:\.\d+)?)x(\d+(?:\.\d+)?)(mm|in)$/;

/** The size in PDF points of a self-describing media name, or null when the name carries no usable size. */
export function parseMediaSize(media: string | null | undefined): PageSizePoints | null {
  const match = SELF_DESCRIBING_SIZE.exec((media ?? '').trim().toLowerCase());
  if (!match) return null;
  const perUnit = match[3] === 'in' ? POINTS_PER_INCH : POINTS_PER_INCH / MM_PER_INCH;
  const width = Number(match[1]) * perUnit;
  const height = Number(match[2]) * perUnit;
  if (!(width > 0 && height > 0)) return null;
  return { width, height };
}
