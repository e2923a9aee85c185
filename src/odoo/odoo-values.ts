/**
 * Canonical values → Odoo's wire format. Odoo stores datetimes as naive UTC strings
 * `YYYY-MM-DD HH:MM:SS` and refuses ISO 8601 with `T` or an offset; dates are `YYYY-MM-DD`.
 */
import { OdooError } from './odoo-errors.js';

export function toOdooDatetime(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new OdooError('business', `not a date-time: ${JSON.stringify(iso)}`);
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

/** The calendar date as the partner wrote it (no time-zone shift for a date-only field). */
export function toOdooDate(value: string): string {
  const date = value.slice(0, 10);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date))
    throw new OdooError('business', `not a date: ${JSON.stringify(value)}`);
  return date;
}

/** Odoo's many2one read format: `[id, display_name]` or `false`. */
export type Many2one = readonly [number, string] | false;

export function many2oneId(value: unknown): number | undefined {
  return Array.isArray(value) && typeof value[0] === 'number' ? value[0] : undefined;
}

/** Odoo returns `false` for an empty char field. */
export function charValue(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
