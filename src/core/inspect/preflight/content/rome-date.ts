// "Today" for SDI is the day in Italy (Europe/Rome), whatever the computer's time zone.
const ROME = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Rome', year: 'numeric', month: '2-digit', day: '2-digit' });

/** The calendar day in Rome at `instant`, as YYYY-MM-DD. */
export function romeDate(instant: Date): string {
  const parts = ROME.formatToParts(instant);
  const part = (type: Intl.DateTimeFormatPartTypes): string => parts.find((candidate) => candidate.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')}`;
}
