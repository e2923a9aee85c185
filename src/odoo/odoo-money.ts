/**
 * Money crosses into Odoo as a JSON number (Odoo's monetary fields are floats), so a decimal string
 * is converted only when the number's shortest decimal form is the same amount: at most 15
 * significant digits and no more decimals than the currency has. Anything else is refused rather
 * than rounded, because a lost cent on a freight bill is a defect nobody sees until reconciliation.
 */
import { OdooError } from './odoo-errors.js';

const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;

/** ISO 4217 minor units where they differ from 2. */
const MINOR_UNITS: Readonly<Record<string, number>> = {
  JPY: 0,
  KRW: 0,
  CLP: 0,
  ISK: 0,
  VND: 0,
  BHD: 3,
  KWD: 3,
  OMR: 3,
  JOD: 3,
  TND: 3,
  IQD: 3,
  LYD: 3,
};

export function currencyMinorUnits(currency: string): number {
  return MINOR_UNITS[currency] ?? 2;
}

interface ParsedDecimal {
  readonly negative: boolean;
  readonly integer: string;
  /** Fraction digits without trailing zeros. */
  readonly fraction: string;
}

function parse(amount: string, what: string): ParsedDecimal {
  const match = DECIMAL.exec(amount);
  if (!match) throw new OdooError('business', `${what}: ${JSON.stringify(amount)} is not a decimal amount`);
  const integer = match[2]!.replace(/^0+(?=\d)/, '');
  const fraction = (match[3] ?? '').replace(/0+$/, '');
  return { negative: match[1] === '-' && !(integer === '0' && fraction === ''), integer, fraction };
}

/** The amount as the number Odoo will store, or a business OdooError when that would change it. */
export function decimalToOdooNumber(
  amount: string,
  currency: string,
  what = 'amount',
  /** The currency's decimal places as the tenant's Odoo has them, when known (they decide its rounding). */
  minor: number = currencyMinorUnits(currency),
): number {
  const { negative, integer, fraction } = parse(amount, what);
  if (fraction.length > minor) {
    throw new OdooError(
      'business',
      `${what}: ${amount} ${currency} has more than ${minor} decimal places; refusing to round it`,
    );
  }
  const significant = `${integer}${fraction}`.replace(/^0+/, '');
  if (significant.length > 15) {
    throw new OdooError(
      'business',
      `${what}: ${amount} ${currency} has more digits than Odoo's float can hold exactly`,
    );
  }
  const text = `${negative ? '-' : ''}${integer}${fraction ? `.${fraction}` : ''}`;
  const value = Number(text);
  // Belt and braces: the number must print back as the very same decimal.
  if (String(value) !== text && !(value === 0 && /^-?0$/.test(text))) {
    throw new OdooError('business', `${what}: ${amount} does not convert exactly (got ${String(value)})`);
  }
  return value;
}

/** Decimal amounts as integers of 10^-scale, for exact sums and comparisons. */
function toScaled(amount: string, scale: number): bigint {
  const { negative, integer, fraction } = parse(amount, 'amount');
  if (fraction.length > scale)
    throw new OdooError('business', `amount ${amount} has more than ${scale} decimals`);
  const digits = BigInt(`${integer}${fraction.padEnd(scale, '0')}`);
  return negative ? -digits : digits;
}

function fromScaled(value: bigint, scale: number): string {
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(scale + 1, '0');
  const text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return `${negative ? '-' : ''}${text}`;
}

export function sumDecimals(amounts: readonly string[], scale: number): string {
  return fromScaled(
    amounts.reduce((total, a) => total + toScaled(a, scale), 0n),
    scale,
  );
}

/** |a - b| as a decimal string. */
export function absoluteDifference(a: string, b: string, scale: number): string {
  const diff = toScaled(a, scale) - toScaled(b, scale);
  return fromScaled(diff < 0n ? -diff : diff, scale);
}

export function decimalGreaterThan(a: string, b: string, scale: number): boolean {
  return toScaled(a, scale) > toScaled(b, scale);
}
