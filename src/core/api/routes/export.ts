// GET /api/v1/export.csv?from=&to=&profile=&state=&separator= : the delivery history as CSV.
// from/to bound the capture time: a date (YYYY-MM-DD, this computer's time zone; `to` includes the
// whole day) or an ISO date-time.
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { ROUTES } from '../../../contract/routes.ts';
import { on } from './route.ts';
import type { AgentApi } from '../../agent/agent-api.ts';
import { AgentError } from '../../agent-error.ts';
import { isDocumentState, type DocumentState } from '../../../contract/states.ts';
import type { CsvSeparator } from '../../sync/return-folder/history-csv.ts';

export function registerExportRoutes(app: FastifyInstance, current: () => AgentApi): void {
  on(app, ROUTES.exportCsv, async (request, reply) => {
    const query = request.query as Record<string, string | undefined>;
    const states = (query['state'] ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const bad = states.find((s) => !isDocumentState(s));
    if (bad) throw new AgentError('bad_parameter', `unknown state "${bad}"`, 400);
    const from = dateBound(query['from'], 'from');
    const to = dateBound(query['to'], 'to');
    if (from && to && from >= to) throw new AgentError('bad_parameter', `from (${query['from']}) must be before to (${query['to']})`, 400);
    const separator = separatorParam(query['separator']);
    const rows = current().historyCsv(
      {
        ...(states.length ? { state: states as DocumentState[] } : {}),
        ...(query['profile'] ? { profile: query['profile'] } : {}),
        ...(from ? { from } : {}),
        ...(to ? { to } : {}),
      },
      separator,
    );
    return reply
      .header('Content-Type', 'text/csv; charset=utf-8')
      .header('Content-Disposition', 'attachment; filename="recapito-export.csv"')
      .send(Readable.from(rows));
  });
}

/** An ISO instant comparable with created_at; a bare date is a whole local day. */
export function dateBound(value: string | undefined, name: 'from' | 'to'): string | null {
  if (value === undefined || value.trim() === '') return null;
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value.trim());
  if (day) {
    const [year, month, date] = [Number(day[1]), Number(day[2]), Number(day[3])];
    const local = new Date(year, month - 1, date);
    if (local.getFullYear() !== year || local.getMonth() !== month - 1 || local.getDate() !== date) {
      throw new AgentError('bad_parameter', `${name} "${value}" is not a real date`, 400);
    }
    const start = name === 'to' ? new Date(year, month - 1, date + 1) : local;
    return start.toISOString();
  }
  const instant = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(instant.getTime())) {
    throw new AgentError('bad_parameter', `${name} must be a date (YYYY-MM-DD) or an ISO date-time, not "${value.slice(0, 40)}"`, 400);
  }
  return instant.toISOString();
}

function separatorParam(value: string | undefined): CsvSeparator {
  switch (value ?? ';') {
    case ';':
    case 'semicolon':
      return ';';
    case ',':
    case 'comma':
      return ',';
    default:
      throw new AgentError('bad_parameter', 'separator must be ";" (semicolon, the default, for Italian Excel) or "," (comma)', 400);
  }
}
