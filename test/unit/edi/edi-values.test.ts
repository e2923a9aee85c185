import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fromImpliedDecimal, normalizeDecimal, toImpliedDecimal } from '../../../src/edi/implied-decimal.js';
import {
  fromIsoDateTime,
  parseEdiDate,
  parseEdiTime,
  toIsoDateTime,
  X12_TIME_CODES,
} from '../../../src/edi/edi-datetime.js';
import { edifactDateTimeToIso } from '../../../src/edi/edifact-datetime.js';

test('implied decimals move the point by string surgery', () => {
  assert.equal(fromImpliedDecimal('12345', 2), '123.45');
  assert.equal(fromImpliedDecimal('5', 2), '0.05');
  assert.equal(fromImpliedDecimal('-2500', 2), '-25.00');
  assert.equal(fromImpliedDecimal('1.5', 2), undefined);
  assert.equal(toImpliedDecimal('123.4', 2), '12340');
  assert.equal(toImpliedDecimal('0.001', 2), undefined);
  assert.equal(toImpliedDecimal('90071992547409.93', 2), '9007199254740993');
  assert.equal(normalizeDecimal('.5'), '0.5');
  assert.equal(normalizeDecimal('7,25', ','), '7.25');
});

test('N2 round trip holds for any integer string', () => {
  fc.assert(
    fc.property(fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }), (n) => {
      const s = n.toString();
      assert.equal(toImpliedDecimal(fromImpliedDecimal(s, 2)!, 2), n === 0n ? '0' : s);
    }),
  );
});

test('EDI dates and times are validated', () => {
  assert.deepEqual(parseEdiDate('20240229'), { year: 2024, month: 2, day: 29 });
  assert.equal(parseEdiDate('20230229'), undefined);
  assert.deepEqual(parseEdiDate('991231'), { year: 1999, month: 12, day: 31 });
  assert.equal(parseEdiTime('2400'), undefined);
  assert.deepEqual(parseEdiTime('235959'), { hour: 23, minute: 59, second: 59 });
});

test('EDI date and time edges: century leap years, lengths, non-digits', () => {
  assert.deepEqual(parseEdiDate('20000229'), { year: 2000, month: 2, day: 29 });
  assert.equal(parseEdiDate('19000229'), undefined);
  assert.deepEqual(parseEdiDate('000229'), { year: 2000, month: 2, day: 29 });
  assert.deepEqual(parseEdiDate('500101'), { year: 1950, month: 1, day: 1 });
  for (const bad of ['2026113', '202611270', '2026-1-27', '2026112a', '20261300', '20260431', '20260100', ''])
    assert.equal(parseEdiDate(bad), undefined, bad);
  assert.deepEqual(parseEdiTime('0930'), { hour: 9, minute: 30, second: 0 });
  assert.deepEqual(parseEdiTime('09301559'), { hour: 9, minute: 30, second: 15 });
  assert.deepEqual(parseEdiTime('0930155'), { hour: 9, minute: 30, second: 15 });
  for (const bad of ['930', '09301', '093015599', '09:3', '0960', '093060', ''])
    assert.equal(parseEdiTime(bad), undefined, bad);
});

test('X12 time codes give the offset; zone-dependent codes follow DST', () => {
  const d = { year: 2026, month: 7, day: 1 };
  const t = { hour: 12, minute: 0, second: 0 };
  assert.equal(toIsoDateTime(d, t, 'ET', 'UTC'), '2026-07-01T12:00:00-04:00');
  assert.equal(toIsoDateTime({ ...d, month: 1 }, t, 'ET', 'UTC'), '2026-01-01T12:00:00-05:00');
  assert.equal(toIsoDateTime(d, t, 'PS', 'UTC'), '2026-07-01T12:00:00-08:00');
  assert.equal(toIsoDateTime(d, t, undefined, 'Europe/Berlin'), '2026-07-01T12:00:00+02:00');
  assert.equal(toIsoDateTime(d, t, 'QQ', 'UTC'), undefined);
  assert.deepEqual(fromIsoDateTime('2026-07-01T12:00:00-04:00', 'UTC', true), {
    date8: '20260701',
    time4: '1200',
    time6: '120000',
    timeCode: 'ED',
  });
  assert.deepEqual(fromIsoDateTime('2026-07-01T12:00:00-04:00', 'Europe/Berlin', false), {
    date8: '20260701',
    time4: '1800',
    time6: '180000',
    timeCode: 'LT',
  });
});

test('a wall time the clocks skipped (daylight time starts) is read as java.time reads it; a repeated one takes the earlier offset', () => {
  const chicago = 'America/Chicago';
  const springForward = { year: 2026, month: 3, day: 8 }; // 02:00 CST → 03:00 CDT
  const fallBack = { year: 2026, month: 11, day: 1 }; // 02:00 CDT → 01:00 CST
  const at = (hour: number, minute: number) => ({ hour, minute, second: 0 });
  // 02:30 does not exist: 30 minutes past the skipped hour's start, at 03:30 daylight time.
  assert.equal(toIsoDateTime(springForward, at(2, 30), undefined, chicago), '2026-03-08T03:30:00-05:00');
  assert.equal(toIsoDateTime(springForward, at(2, 30), 'CT', 'UTC'), '2026-03-08T03:30:00-05:00');
  assert.equal(toIsoDateTime(springForward, at(2, 0), undefined, chicago), '2026-03-08T03:00:00-05:00');
  // Either side of the gap is what it says.
  assert.equal(toIsoDateTime(springForward, at(1, 59), undefined, chicago), '2026-03-08T01:59:00-06:00');
  assert.equal(toIsoDateTime(springForward, at(3, 0), undefined, chicago), '2026-03-08T03:00:00-05:00');
  // 01:30 happens twice: the first (daylight time), as java.time and Temporal choose.
  assert.equal(toIsoDateTime(fallBack, at(1, 30), undefined, chicago), '2026-11-01T01:30:00-05:00');
  assert.equal(toIsoDateTime(fallBack, at(2, 30), undefined, chicago), '2026-11-01T02:30:00-06:00');
  // A fixed code is an offset, not a zone: its wall time always exists.
  assert.equal(toIsoDateTime(springForward, at(2, 30), 'CS', 'UTC'), '2026-03-08T02:30:00-06:00');
  // Half-hour zones and the southern hemisphere (Adelaide: 02:00 → 03:00 on 2026-10-04, 03:00 →
  // 02:00 on 2026-04-05), where the offset changes at half past a UTC hour.
  assert.equal(
    toIsoDateTime({ year: 2026, month: 10, day: 4 }, at(2, 15), undefined, 'Australia/Adelaide'),
    '2026-10-04T03:15:00+10:30',
  );
  assert.equal(
    toIsoDateTime({ year: 2026, month: 4, day: 5 }, at(2, 30), undefined, 'Australia/Adelaide'),
    '2026-04-05T02:30:00+10:30',
  );
  // NT (Newfoundland time) changes at 05:30 UTC.
  assert.equal(toIsoDateTime(springForward, at(2, 45), 'NT', 'UTC'), '2026-03-08T03:45:00-02:30');
});

test("property: the time read is the zone's own wall time at that instant, the one sent unless the clocks skipped it", () => {
  const zones = [
    'America/Chicago',
    'Australia/Adelaide',
    'America/St_Johns',
    'Australia/Lord_Howe',
    'Europe/Berlin',
  ];
  const shownIn = (zone: string, iso: string): string => {
    const parts = new Intl.DateTimeFormat('en-CA', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    }).formatToParts(new Date(iso));
    const get = (type: string): string => parts.find((p) => p.type === type)?.value ?? '';
    return `${get('year')}-${get('month')}-${get('day')}T${get('hour')}:${get('minute')}`;
  };
  fc.assert(
    fc.property(fc.constantFrom(...zones), fc.integer({ min: 0, max: 365 * 96 - 1 }), (zone, quarter) => {
      const wall = new Date(Date.UTC(2026, 0, 1) + quarter * 900_000 + (quarter % 15) * 60_000);
      const date = { year: wall.getUTCFullYear(), month: wall.getUTCMonth() + 1, day: wall.getUTCDate() };
      const time = { hour: wall.getUTCHours(), minute: wall.getUTCMinutes(), second: 0 };
      const iso = toIsoDateTime(date, time, undefined, zone);
      assert.ok(iso);
      assert.equal(shownIn(zone, iso), iso.slice(0, 16), `${zone} ${wall.toISOString()} → ${iso}`);
      const moved = (Date.parse(`${iso.slice(0, 16)}Z`) - wall.getTime()) / 60_000;
      // Moved only forward, by at most the skipped hour (Lord Howe skips 30 minutes).
      assert.ok(moved >= 0 && moved <= 60, `${zone} ${wall.toISOString()} → ${iso}`);
    }),
    { numRuns: 3000 },
  );
});

test('every 4010 time code (623) converts: 01–12 are ISO P01–P12, 13–24 M12–M01, N* Newfoundland, T* Atlantic', () => {
  const d = { year: 2026, month: 7, day: 15 };
  const winter = { ...d, month: 1 };
  const t = { hour: 12, minute: 0, second: 0 };
  assert.equal(toIsoDateTime(d, t, '01', 'UTC'), '2026-07-15T12:00:00+01:00');
  assert.equal(toIsoDateTime(d, t, '12', 'UTC'), '2026-07-15T12:00:00+12:00');
  assert.equal(toIsoDateTime(d, t, '13', 'UTC'), '2026-07-15T12:00:00-12:00');
  assert.equal(toIsoDateTime(d, t, '20', 'UTC'), '2026-07-15T12:00:00-05:00');
  assert.equal(toIsoDateTime(d, t, '24', 'UTC'), '2026-07-15T12:00:00-01:00');
  assert.equal(toIsoDateTime(d, t, 'NS', 'UTC'), '2026-07-15T12:00:00-03:30');
  assert.equal(toIsoDateTime(d, t, 'ND', 'UTC'), '2026-07-15T12:00:00-02:30');
  // NT and TT name the region's time: the date decides standard or daylight.
  assert.equal(toIsoDateTime(d, t, 'NT', 'UTC'), '2026-07-15T12:00:00-02:30');
  assert.equal(toIsoDateTime(winter, t, 'NT', 'UTC'), '2026-01-15T12:00:00-03:30');
  assert.equal(toIsoDateTime(d, t, 'TT', 'UTC'), '2026-07-15T12:00:00-03:00');
  assert.equal(toIsoDateTime(d, t, 'TS', 'UTC'), '2026-07-15T12:00:00-04:00');
  assert.equal(toIsoDateTime(d, t, '00', 'UTC'), undefined);
  assert.equal(toIsoDateTime(d, t, '25', 'UTC'), undefined);
  assert.equal(X12_TIME_CODES.length, 24 + 27);
  for (const code of X12_TIME_CODES) assert.notEqual(toIsoDateTime(d, t, code, 'UTC'), undefined, code);
});

test('EDIFACT DTM 101, 201 and 202 have two-digit years, read with the YYMMDD window (00–49 → 20YY)', () => {
  assert.equal(edifactDateTimeToIso('240209', '101', 'UTC', true), '2024-02-09');
  assert.equal(edifactDateTimeToIso('991231', '101', 'UTC', true), '1999-12-31');
  assert.equal(edifactDateTimeToIso('240209', '101', 'UTC', false), '2024-02-09T00:00:00+00:00');
  assert.equal(
    edifactDateTimeToIso('2402091530', '201', 'Europe/Berlin', false),
    '2024-02-09T15:30:00+01:00',
  );
  assert.equal(edifactDateTimeToIso('240209153045', '202', 'UTC', false), '2024-02-09T15:30:45+00:00');
  assert.equal(edifactDateTimeToIso('20240209', '101', 'UTC', true), undefined);
  assert.equal(edifactDateTimeToIso('240230', '101', 'UTC', true), undefined);
  assert.equal(edifactDateTimeToIso('2402092530', '201', 'UTC', false), undefined);
  assert.equal(edifactDateTimeToIso('AB0209', '101', 'UTC', true), undefined);
});
