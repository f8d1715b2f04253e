import { AgentError } from '../../agent-error.ts';

/** Parses an integer query parameter within bounds, or says which one is wrong. */
export function intParam(value: string | undefined, fallback: number, min: number, max: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
    throw new AgentError('bad_parameter', `${name} must be an integer between ${min} and ${max}`, 400);
  }
  return parsed;
}
