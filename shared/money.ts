/**
 * The one money type: integer minor units (cents, pence, yen) as a safe integer, plus an ISO 4217
 * currency. No floats ever touch an amount; division rounds by one documented rule.
 */
export interface Money {
  readonly minor: number;
  readonly currency: string;
}

/** Minor-unit exponent per currency (ISO 4217); currencies not listed are refused. */
export const CURRENCY_EXPONENT: Readonly<Record<string, number>> = {
  USD: 2, EUR: 2, GBP: 2, CHF: 2, CAD: 2, AUD: 2, SEK: 2, NOK: 2, DKK: 2, PLN: 2, JPY: 0, KRW: 0,
};

export const isSupportedCurrency = (c: string) => Object.prototype.hasOwnProperty.call(CURRENCY_EXPONENT, c);

/** The largest amount an event can carry: avsc writes an Avro long only below 2^53 − 1. */
export const MAX_MINOR = Number.MAX_SAFE_INTEGER - 1;

/** An amount outside what the money type (and so every event) can hold. */
export class MoneyOutOfRange extends RangeError {}

function assertMinor(n: number, what: string): void {
  if (!Number.isSafeInteger(n) || Math.abs(n) > MAX_MINOR) throw new MoneyOutOfRange(`${what} must be an integer of minor units within ±${MAX_MINOR}, got ${n}`);
}

export function money(minor: number, currency: string): Money {
  assertMinor(minor, 'amount');
  if (!isSupportedCurrency(currency)) throw new RangeError(`unsupported currency ${currency}`);
  return { minor, currency };
}

function same(a: Money, b: Money): void {
  if (a.currency !== b.currency) throw new RangeError(`currency mismatch: ${a.currency} vs ${b.currency}`);
}

export const add = (a: Money, b: Money): Money => (same(a, b), money(a.minor + b.minor, a.currency));
export const subtract = (a: Money, b: Money): Money => (same(a, b), money(a.minor - b.minor, a.currency));
export const times = (a: Money, factor: number): Money => {
  assertMinor(factor, 'factor');
  return money(a.minor * factor, a.currency);
};
export const zero = (currency: string): Money => money(0, currency);
export const sum = (items: Money[], currency: string): Money => items.reduce(add, zero(currency));

/**
 * numerator/denominator rounded half away from zero, in integers only (BigInt for the product so
 * large amounts times basis points cannot overflow). The one rounding rule of the project.
 */
export function divideRounded(numerator: bigint, denominator: bigint): bigint {
  if (denominator <= 0n) throw new RangeError('denominator must be positive');
  const negative = numerator < 0n;
  const n = negative ? -numerator : numerator;
  const q = (n * 2n + denominator) / (denominator * 2n);
  return negative ? -q : q;
}

/** amount × basisPoints / 10 000, half away from zero. 1 bp = 0.01 %. */
export function applyBasisPoints(a: Money, basisPoints: number): Money {
  assertMinor(basisPoints, 'basis points');
  return money(Number(divideRounded(BigInt(a.minor) * BigInt(basisPoints), 10000n)), a.currency);
}

export function format(m: Money): string {
  const exp = CURRENCY_EXPONENT[m.currency] ?? 2;
  const sign = m.minor < 0 ? '-' : '';
  const abs = String(Math.abs(m.minor)).padStart(exp + 1, '0');
  return exp === 0 ? `${sign}${abs} ${m.currency}` : `${sign}${abs.slice(0, -exp)}.${abs.slice(-exp)} ${m.currency}`;
}
