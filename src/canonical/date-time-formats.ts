/**
 * ajv-formats' `date`, `time` and `date-time` (full mode: RFC 3339, a time needs its zone) read
 * character by character. Every canonical document carries a few of these; ajv-formats answers
 * each with a regex match array, a `split` and number parsing (about 30 MB of garbage per 16 MB of
 * X12). Same answers for every string: the tests hold them to ajv-formats' own functions.
 */

const DAYS = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The value of the two ASCII digits at `i`, or -1. */
function twoDigits(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48;
  const b = s.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/** `YYYY-MM-DD` at `i` is a real calendar day (the caller checks what follows). */
function dateAt(s: string, i: number): boolean {
  const hi = twoDigits(s, i);
  const lo = twoDigits(s, i + 2);
  if (hi < 0 || lo < 0 || s.charCodeAt(i + 4) !== 45 || s.charCodeAt(i + 7) !== 45) return false;
  const month = twoDigits(s, i + 5);
  const day = twoDigits(s, i + 8);
  if (month < 1 || month > 12 || day < 1) return false;
  const year = hi * 100 + lo;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= (month === 2 && leap ? 29 : DAYS[month]!);
}

/** `full-date`: YYYY-MM-DD. */
export function isDate(s: string): boolean {
  return s.length === 10 && dateAt(s, 0);
}

/** `HH:MM:SS[.fraction](Z|±HH[[:]MM])` from `i` to the end, a leap second only at 23:59 UTC. */
function timeAt(s: string, i: number): boolean {
  const end = s.length;
  if (end - i < 9 || s.charCodeAt(i + 2) !== 58 || s.charCodeAt(i + 5) !== 58) return false;
  const hr = twoDigits(s, i);
  const min = twoDigits(s, i + 3);
  const ss = twoDigits(s, i + 6);
  if (hr < 0 || min < 0 || ss < 0) return false;
  let p = i + 8;
  let fraction = false;
  if (s.charCodeAt(p) === 46) {
    const first = ++p;
    while (p < end && s.charCodeAt(p) >= 48 && s.charCodeAt(p) <= 57) p++;
    if (p === first) return false;
    fraction = true;
  }
  const secondsEnd = p;
  let tzSign = 1;
  let tzH = 0;
  let tzM = 0;
  const z = s.charCodeAt(p);
  if (z === 90 || z === 122) {
    if (p + 1 !== end) return false;
  } else if (z === 43 || z === 45) {
    if (z === 45) tzSign = -1;
    tzH = twoDigits(s, p + 1);
    if (tzH < 0) return false;
    p += 3;
    if (p !== end) {
      if (s.charCodeAt(p) === 58) p++;
      tzM = twoDigits(s, p);
      if (tzM < 0 || p + 2 !== end) return false;
    }
  } else return false;
  if (tzH > 23 || tzM > 59) return false;
  // Seconds as the number ajv-formats reads: a long fraction of .999… rounds 59 up to 60.
  const sec = fraction && ss >= 59 ? Number(s.slice(i + 6, secondsEnd)) : ss;
  if (hr <= 23 && min <= 59 && sec < 60) return true;
  const utcMin = min - tzM * tzSign;
  const utcHr = hr - tzH * tzSign - (utcMin < 0 ? 1 : 0);
  return (utcHr === 23 || utcHr === -1) && (utcMin === 59 || utcMin === -1) && sec < 61;
}

/** `full-time` with its zone. */
export function isTime(s: string): boolean {
  return timeAt(s, 0);
}

/** Characters `/t|\s/i` matches: where ajv-formats splits a date-time. */
function isDateTimeSeparator(c: number): boolean {
  return (
    c === 84 ||
    c === 116 ||
    c === 32 ||
    (c >= 9 && c <= 13) ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

/**
 * `date-time`: a date, one separator (T, t or white space) and a time. ajv-formats splits at every
 * separator and wants exactly two parts; neither a valid date nor a valid time holds one, so the
 * only separator must be the eleventh character.
 */
export function isDateTime(s: string): boolean {
  return s.length > 10 && isDateTimeSeparator(s.charCodeAt(10)) && dateAt(s, 0) && timeAt(s, 11);
}
