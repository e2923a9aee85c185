/**
 * Money and quantities cross the engine as decimal strings: a float anywhere in the money path is
 * a defect (CANONICAL-MODEL.md). These helpers move the decimal point by string surgery only.
 */

const IMPLIED = /^([+-]?)(\d+)$/;
const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?$/;

/** `12345` with 2 implied decimals → `123.45`; `-5` → `-0.05`. Undefined when not an integer. */
export function fromImpliedDecimal(text: string, places: number): string | undefined {
  const m = IMPLIED.exec(text);
  if (!m) return undefined;
  const sign = m[1] === '-' ? '-' : '';
  const digits = m[2]!.padStart(places + 1, '0');
  if (places === 0) return sign + stripLeadingZeros(digits);
  const int = stripLeadingZeros(digits.slice(0, digits.length - places));
  return `${sign}${int}.${digits.slice(digits.length - places)}`;
}

/** `123.4` → `12340` for 2 implied decimals; undefined when it has more decimals than fit. */
export function toImpliedDecimal(decimal: string, places: number): string | undefined {
  const m = DECIMAL.exec(decimal);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return undefined;
  const sign = m[1] === '-' ? '-' : '';
  let frac = m[3] ?? '';
  // Trailing zeros beyond the implied places carry no value and can be dropped safely.
  while (frac.length > places && frac.endsWith('0')) frac = frac.slice(0, -1);
  if (frac.length > places) return undefined;
  const digits = stripLeadingZeros((m[2] ?? '') + frac.padEnd(places, '0'));
  return digits === '0' ? '0' : sign + digits;
}

/** An explicit decimal (X12 R) as a canonical decimal string: `.5` → `0.5`, `+3.` → `3`. */
export function normalizeDecimal(text: string, decimalMark = '.'): string | undefined {
  const t = decimalMark === '.' ? text : text.replace(decimalMark, '.');
  const m = DECIMAL.exec(t);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return undefined;
  const sign = m[1] === '-' ? '-' : '';
  const int = stripLeadingZeros(m[2] === '' ? '0' : m[2]!);
  const frac = m[3] ?? '';
  return frac === '' ? sign + int : `${sign}${int}.${frac}`;
}

function stripLeadingZeros(digits: string): string {
  const s = digits.replace(/^0+(?=\d)/, '');
  return s === '' ? '0' : s;
}

/**
 * A decimal string with its sign turned over, digit for digit (`5.00` ↔ `-5.00`); a zero stays
 * unsigned (`0`, `-0.00` → `0.00`). Undefined when the text is no decimal.
 */
export function negateDecimal(text: string): string | undefined {
  const m = DECIMAL.exec(text);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return undefined;
  const digits = text.slice(m[1]!.length);
  if (!/[1-9]/.test(digits)) return digits;
  return m[1] === '-' ? digits : `-${digits}`;
}

/** A decimal string below zero: `-0.00` is not. */
export function isNegativeDecimal(text: string): boolean {
  return text.startsWith('-') && /[1-9]/.test(text) && DECIMAL.test(text);
}
