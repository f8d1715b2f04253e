// SDI times for people: xsd:dateTime with an offset is shown in Italian time; without one it is
// already Italian local time (as SDI writes it) and is shown as written.

const ITALY = 'Europe/Rome';

export function formatSdiTime(value: string | null, language: 'it' | 'en'): string | null {
  if (!value) return null;
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$/.exec(value.trim());
  if (!match) return value;
  const [, year, month, day, hour, minute, zone] = match as unknown as [string, string, string, string, string, string, string | undefined];
  let parts = { year, month, day, hour, minute };
  if (zone) {
    const instant = new Date(value.trim());
    if (Number.isNaN(instant.getTime())) return value;
    parts = italianParts(instant);
  }
  return language === 'it'
    ? `${parts.day}/${parts.month}/${parts.year} alle ${parts.hour}:${parts.minute}`
    : `${parts.year}-${parts.month}-${parts.day} at ${parts.hour}:${parts.minute} (Italian time)`;
}

function italianParts(instant: Date): { year: string; month: string; day: string; hour: string; minute: string } {
  const format = new Intl.DateTimeFormat('en-GB', {
    timeZone: ITALY,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
  const parts = format.formatToParts(instant);
  const get = (type: Intl.DateTimeFormatPartTypes): string => parts.find((p) => p.type === type)?.value ?? '00';
  return { year: get('year'), month: get('month'), day: get('day'), hour: get('hour'), minute: get('minute') };
}
