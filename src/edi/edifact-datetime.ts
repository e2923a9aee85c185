import {
  fromIsoDateTime,
  fullYear,
  parseEdiDate,
  parseEdiTime,
  toIsoDateTime,
  zoneOffsetMinutes,
} from './edi-datetime.js';

/*
 * EDIFACT DTM (C507) packs date and time into one component and names its layout in the next
 * (2379 format code), unlike X12's separate date, time and time-code elements. These convert
 * between that pair and canonical ISO 8601, for the map engine's `dtm`/`dtmDate`/`dtmFormat`.
 */

export type EdifactDateFormat = '102' | '203' | '204' | '303';

/**
 * 2379 codes read: 102 CCYYMMDD, 203 CCYYMMDDHHMM, 204 CCYYMMDDHHMMSS, 303 CCYYMMDDHHMMZZZ, and
 * the two-digit-year 101 YYMMDD, 201 YYMMDDHHMM, 202 YYMMDDHHMMSS; absent → by length.
 */
const LENGTH_FOR_FORMAT: Readonly<Record<string, number>> = {
  '101': 6,
  '102': 8,
  '201': 10,
  '202': 12,
  '203': 12,
  '204': 14,
};

/** Formats whose year has two digits: the century is the window X12's YYMMDD dates use (`fullYear`). */
const TWO_DIGIT_YEAR: ReadonlySet<string> = new Set(['101', '201', '202']);

/**
 * DTM value + format → ISO 8601: a date-time with offset (in `timeZone` unless 303 carries one),
 * or `YYYY-MM-DD` with `dateOnly`. Undefined when the value does not fit the format.
 */
export function edifactDateTimeToIso(
  value: string,
  format: string,
  timeZone: string,
  dateOnly: boolean,
): string | undefined {
  let text = value;
  let offset: string | undefined;
  if (format === '303') {
    // CCYYMMDDHHMM followed by a zone: +hh, -hh, +hhmm, Z or UTC.
    const m = /^(\d{12})(Z|UTC|[+-]\d{2}(?::?\d{2})?)$/.exec(value);
    if (!m) return undefined;
    text = m[1] as string;
    const zone = m[2] as string;
    offset =
      zone === 'Z' || zone === 'UTC'
        ? '+00:00'
        : `${zone.slice(0, 3)}:${zone.slice(3).replace(':', '') || '00'}`;
  } else {
    const expected = format === '' ? undefined : LENGTH_FOR_FORMAT[format];
    if (format !== '' && expected === undefined) return undefined;
    if (expected !== undefined ? text.length !== expected : ![8, 12, 14].includes(text.length))
      return undefined;
    if (TWO_DIGIT_YEAR.has(format)) {
      if (!/^\d{2}/.test(text)) return undefined;
      text = String(fullYear(Number(text.slice(0, 2)))).slice(0, 2) + text;
    }
  }
  const date = parseEdiDate(text.slice(0, 8));
  if (date === undefined) return undefined;
  if (dateOnly) return `${text.slice(0, 4)}-${text.slice(4, 6)}-${text.slice(6, 8)}`;
  const time = text.length > 8 ? parseEdiTime(text.slice(8)) : undefined;
  if (text.length > 8 && time === undefined) return undefined;
  if (offset !== undefined) {
    const t = time ?? { hour: 0, minute: 0, second: 0 };
    const p = (n: number): string => String(n).padStart(2, '0');
    return `${text.slice(0, 4)}-${text.slice(4, 6)}-${text.slice(6, 8)}T${p(t.hour)}:${p(t.minute)}:${p(t.second)}${offset}`;
  }
  return toIsoDateTime(date, time, undefined, timeZone);
}

/**
 * ISO 8601 → DTM value and its 2379 format: a date alone (or `dateOnly`) is 102, a date-time is
 * written as wall time in `timeZone`, 203 or 204 when it has seconds, 303 (with its offset) when
 * the wall time alone would be read back as another instant.
 */
export function isoToEdifactDateTime(
  iso: string,
  timeZone: string,
  dateOnly: boolean,
): { value: string; format: EdifactDateFormat } | undefined {
  const parts = fromIsoDateTime(iso, timeZone, false);
  if (parts === undefined) return undefined;
  if (dateOnly || /^\d{4}-\d{2}-\d{2}$/.test(iso)) return { value: parts.date8, format: '102' };
  if (!parts.time6.endsWith('00')) return { value: parts.date8 + parts.time6, format: '204' };
  const local = { value: parts.date8 + parts.time4, format: '203' } as const;
  // In the hour the clocks repeat (01:30 on the day daylight time ends), a wall time names two
  // instants and 203 is read as the first: the second one goes out with its offset (303).
  const instant = Date.parse(iso);
  const readBack = edifactDateTimeToIso(local.value, local.format, timeZone, false);
  if (Number.isNaN(instant) || readBack === undefined || Date.parse(readBack) === instant) return local;
  const offset = zoneOffsetMinutes(timeZone, instant);
  const size = Math.abs(offset);
  const zone = `${offset < 0 ? '-' : '+'}${String(Math.trunc(size / 60)).padStart(2, '0')}${String(size % 60).padStart(2, '0')}`;
  return { value: local.value + zone, format: '303' };
}
