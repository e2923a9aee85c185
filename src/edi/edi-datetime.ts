/**
 * EDI dates and times to ISO 8601 with offset and back. EDI carries local wall-clock times; the
 * offset comes from an X12 time code (DTM04, AT707) when present, else from the partner's IANA time
 * zone. Offsets are computed with Intl (no tz database of our own) and cached per zone and UTC quarter hour,
 * because Intl formatting is the slowest thing in a hot translation loop.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();
/** Zone → UTC quarter hour → offset; nested so the hot lookup builds no key string. */
const offsetCache = new Map<string, Map<number, number>>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/**
 * Offset changes fall on a quarter hour of UTC: they happen at a whole minute of local time in
 * zones whose offsets are whole quarter hours (Adelaide changes at 16:30 UTC, St. John's at 05:30),
 * so the offset at a quarter hour's start holds for the whole quarter.
 */
const QUARTER_HOUR_MS = 900_000;

/** Offset of `timeZone` from UTC in minutes at the instant `utcMs`. */
export function zoneOffsetMinutes(timeZone: string, utcMs: number): number {
  if (timeZone === 'UTC' || timeZone === 'Etc/UTC') return 0;
  const quarter = Math.floor(utcMs / QUARTER_HOUR_MS);
  let zone = offsetCache.get(timeZone);
  if (zone === undefined) {
    zone = new Map();
    offsetCache.set(timeZone, zone);
  }
  const hit = zone.get(quarter);
  if (hit !== undefined) return hit;
  const start = quarter * QUARTER_HOUR_MS;
  const parts = formatterFor(timeZone).formatToParts(new Date(start));
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value ?? '0');
  const asUtc = Date.UTC(
    get('year'),
    get('month') - 1,
    get('day'),
    get('hour'),
    get('minute'),
    get('second'),
  );
  const offset = Math.round((asUtc - start) / 60_000);
  if (zone.size > 10_000) zone.clear();
  zone.set(quarter, offset);
  return offset;
}

/**
 * X12 time codes (element 623, 4010 code list: stedi.com/edi/x12-004010/element/623) with a fixed
 * offset in minutes; the zone-dependent ones are in ZONE_CODES, and LT (local time) takes the
 * partner's time zone. `Z` is no 623 code but partners send it for UTC.
 */
const FIXED_CODES: Readonly<Record<string, number>> = {
  UT: 0,
  GM: 0,
  Z: 0,
  ED: -240,
  ES: -300,
  CD: -300,
  CS: -360,
  MD: -360,
  MS: -420,
  PD: -420,
  PS: -480,
  AD: -480,
  AS: -540,
  HD: -540,
  HS: -600,
  // Newfoundland is 3½ hours behind UTC in standard time, 2½ in daylight time.
  ND: -150,
  NS: -210,
  // Atlantic.
  TD: -180,
  TS: -240,
  ...isoHourCodes(),
};

/**
 * 01–12 are "equivalent to ISO P01" … "P12" (UTC+1 … +12 hours); 13–24 are "ISO M12" … "M01"
 * (UTC−12 … −1): 13 is −12, 24 is −1.
 */
function isoHourCodes(): Record<string, number> {
  const out: Record<string, number> = {};
  for (let n = 1; n <= 24; n++) out[String(n).padStart(2, '0')] = (n <= 12 ? n : n - 25) * 60;
  return out;
}

/** Codes naming a region's time without saying standard or daylight: the date decides (DST). */
const ZONE_CODES: Readonly<Record<string, string>> = {
  ET: 'America/New_York',
  CT: 'America/Chicago',
  MT: 'America/Denver',
  PT: 'America/Los_Angeles',
  AT: 'America/Anchorage',
  HT: 'Pacific/Honolulu',
  NT: 'America/St_Johns',
  TT: 'America/Halifax',
};

/** Every element-623 code the validator accepts (`Z` is no X12 code: not in the list). */
export const X12_TIME_CODES: readonly string[] = [
  'LT',
  ...Object.keys(FIXED_CODES).filter((c) => c !== 'Z'),
  ...Object.keys(ZONE_CODES),
].sort();
/** Offset → the code we write on output; offsets without a code are written in UTC (UT). */
const CODE_FOR_OFFSET: Readonly<Record<number, string>> = {
  0: 'UT',
  [-240]: 'ED',
  [-300]: 'ES',
  [-360]: 'CS',
  [-420]: 'MS',
  [-480]: 'PS',
  [-540]: 'AS',
  [-600]: 'HS',
};

export function isKnownTimeCode(code: string): boolean {
  return code === 'LT' || code in FIXED_CODES || code in ZONE_CODES;
}

export interface DateParts {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

/** True when `text` is exactly `n` ASCII digits; a char loop, because this runs for every date. */
function isDigits(text: string, n: number): boolean {
  if (text.length !== n) return false;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** Two digits at `at` as a number (the caller has checked they are digits). */
const twoDigits = (text: string, at: number): number =>
  (text.charCodeAt(at) - 48) * 10 + text.charCodeAt(at + 1) - 48;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const isLeapYear = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

/** A two-digit year's full year: the usual 50/50 window (00–49 → 20YY, 50–99 → 19YY). */
export const fullYear = (yy: number): number => (yy < 50 ? 2000 + yy : 1900 + yy);

/** CCYYMMDD or YYMMDD (X12 4010 ISA/GS use YYMMDD; the century window is the usual 50/50). */
export function parseEdiDate(text: string): DateParts | undefined {
  const n = ediDateNumber(text);
  return n < 0 ? undefined : { year: Math.trunc(n / 10_000), month: Math.trunc(n / 100) % 100, day: n % 100 };
}

/**
 * `parseEdiDate` as one number, year * 10000 + month * 100 + day, or -1 when invalid: the inbound
 * maps read a date per DTM and keep it in a local, so they need no object for it.
 */
export function ediDateNumber(text: string): number {
  let y: number;
  let at: number;
  if (isDigits(text, 8)) {
    y = twoDigits(text, 0) * 100 + twoDigits(text, 2);
    at = 4;
  } else if (isDigits(text, 6)) {
    const yy = twoDigits(text, 0);
    y = fullYear(yy);
    at = 2;
  } else return -1;
  const month = twoDigits(text, at);
  const day = twoDigits(text, at + 2);
  if (month < 1 || month > 12 || day < 1) return -1;
  const dim = month === 2 && isLeapYear(y) ? 29 : DAYS_IN_MONTH[month - 1]!;
  if (day > dim) return -1;
  return y * 10_000 + month * 100 + day;
}

export interface TimeParts {
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

/** HHMM, HHMMSS or HHMMSSd..d (decimal seconds are dropped: canonical times are to the second). */
export function parseEdiTime(text: string): TimeParts | undefined {
  const n = ediTimeNumber(text);
  return n < 0
    ? undefined
    : { hour: Math.trunc(n / 10_000), minute: Math.trunc(n / 100) % 100, second: n % 100 };
}

/** `parseEdiTime` as one number, hour * 10000 + minute * 100 + second, or -1 when invalid. */
export function ediTimeNumber(text: string): number {
  const n = text.length;
  // HHMM, HHMMSS, HHMMSSd or HHMMSSdd, digits only.
  if ((n !== 4 && n !== 6 && n !== 7 && n !== 8) || !isDigits(text, n)) return -1;
  const hour = twoDigits(text, 0);
  const minute = twoDigits(text, 2);
  const second = n >= 6 ? twoDigits(text, 4) : 0;
  if (hour > 23 || minute > 59 || second > 59) return -1;
  return hour * 10_000 + minute * 100 + second;
}

const pad = (n: number, w = 2): string => {
  const a = Math.abs(n);
  // The two-digit case is nearly every call; padStart is kept for the year.
  return w === 2 && a < 100 ? (a < 10 ? `0${a}` : String(a)) : String(a).padStart(w, '0');
};

function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  return `${sign}${pad(Math.trunc(Math.abs(minutes) / 60))}:${pad(Math.abs(minutes) % 60)}`;
}

/**
 * Local date + time (+ time code) → ISO 8601 with offset, or undefined when the code is unknown.
 * `timeZone` applies when there is no code, or the code is LT (local time).
 */
export function toIsoDateTime(
  date: DateParts,
  time: TimeParts | undefined,
  timeCode: string | undefined,
  timeZone: string,
): string | undefined {
  const t = time ?? { hour: 0, minute: 0, second: 0 };
  return isoDateTimeOf(date.year, date.month, date.day, t.hour, t.minute, t.second, timeCode, timeZone);
}

/** `toIsoDateTime` from the numbers of `ediDateNumber` and `ediTimeNumber` (-1: no time, midnight). */
export function isoFromEdiNumbers(
  date: number,
  time: number,
  timeCode: string | undefined,
  timeZone: string,
): string | undefined {
  const t = time < 0 ? 0 : time;
  return isoDateTimeOf(
    Math.trunc(date / 10_000),
    Math.trunc(date / 100) % 100,
    date % 100,
    Math.trunc(t / 10_000),
    Math.trunc(t / 100) % 100,
    t % 100,
    timeCode,
    timeZone,
  );
}

function isoDateTimeOf(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  timeCode: string | undefined,
  timeZone: string,
): string | undefined {
  const wall = Date.UTC(year, month - 1, day, hour, minute, second);
  let offset: number;
  let zone = timeZone;
  if (timeCode && timeCode !== 'LT') {
    const fixed = FIXED_CODES[timeCode];
    if (fixed !== undefined) return isoText(year, month, day, hour, minute, second, fixed);
    const named = ZONE_CODES[timeCode];
    if (!named) return undefined;
    zone = named;
  }
  const before = zoneOffsetMinutes(zone, wall - DAY_MS);
  const after = zoneOffsetMinutes(zone, wall + DAY_MS);
  if (zoneOffsetMinutes(zone, wall - before * 60_000) === before) offset = before;
  else if (zoneOffsetMinutes(zone, wall - after * 60_000) === after) offset = after;
  else {
    // No such wall time: the clocks skipped it (02:30 on the day daylight time starts). Read the
    // way java.time and Temporal do: with the offset before the change, so the instant is as long
    // past the change as the time was past the skipped hour's start, shown as the zone's own time
    // then (03:30).
    const shown = new Date(wall - before * 60_000 + after * 60_000);
    return isoText(
      shown.getUTCFullYear(),
      shown.getUTCMonth() + 1,
      shown.getUTCDate(),
      shown.getUTCHours(),
      shown.getUTCMinutes(),
      second,
      after,
    );
  }
  return isoText(year, month, day, hour, minute, second, offset);
}

/**
 * The offsets a day either side of a wall time are the two it can have: at most one change falls
 * in between. The one in force before the change wins when both fit (a time the clocks repeat:
 * the first 01:30, as java.time and Temporal choose).
 */
const DAY_MS = 86_400_000;

function isoText(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  offset: number,
): string {
  return `${pad(year, 4)}-${pad(month)}-${pad(day)}T${pad(hour)}:${pad(minute)}:${pad(second)}${formatOffset(offset)}`;
}

/** A date number of `ediDateNumber` as an ISO calendar date (`dateOnly` maps). */
export function isoDateOf(date: number): string {
  return `${pad(Math.trunc(date / 10_000), 4)}-${pad(Math.trunc(date / 100) % 100)}-${pad(date % 100)}`;
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$/;

export interface EdiDateTimeOut {
  readonly date8: string;
  readonly time4: string;
  readonly time6: string;
  readonly timeCode: string;
}

/**
 * ISO string → the EDI pieces. With `keepOffset` (a time-code element exists) the wall time is
 * kept and the code names its offset; otherwise the instant is shown in the partner's zone.
 */
export function fromIsoDateTime(
  iso: string,
  timeZone: string,
  keepOffset: boolean,
): EdiDateTimeOut | undefined {
  const m = ISO.exec(iso);
  if (!m) return undefined;
  const [, ys, mos, ds, hs = '00', mis = '00', ss = '00', off] = m;
  let offset = 0;
  if (off && off !== 'Z')
    offset = (off[0] === '-' ? -1 : 1) * (Number(off.slice(1, 3)) * 60 + Number(off.slice(4, 6)));
  const wall = Date.UTC(Number(ys), Number(mos) - 1, Number(ds), Number(hs), Number(mis), Number(ss));
  if (!off) {
    // A date or a time without offset is already local wall time.
    return split(wall, 'LT');
  }
  const utc = wall - offset * 60_000;
  if (keepOffset) {
    const code = CODE_FOR_OFFSET[offset];
    if (code) return split(wall, code);
    return split(utc, 'UT');
  }
  return split(utc + zoneOffsetMinutes(timeZone, utc) * 60_000, 'LT');
}

function split(wallMs: number, timeCode: string): EdiDateTimeOut {
  const d = new Date(wallMs);
  const date8 = `${pad(d.getUTCFullYear(), 4)}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}`;
  const time4 = `${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}`;
  return { date8, time4, time6: `${time4}${pad(d.getUTCSeconds())}`, timeCode };
}
