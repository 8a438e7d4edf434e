import fc from 'fast-check';
import { add, applyBasisPoints, divideRounded, format, money, subtract } from '../../shared/money';

describe('money in integer minor units', () => {
  it('rounds half away from zero', () => {
    expect(divideRounded(5n, 10n)).toBe(1n);
    expect(divideRounded(4n, 10n)).toBe(0n);
    expect(divideRounded(-5n, 10n)).toBe(-1n);
    expect(divideRounded(15n, 10n)).toBe(2n);
    expect(divideRounded(25n, 10n)).toBe(3n);
  });

  it('applies basis points exactly: 8.25 % of 1999 is 164.9175 → 165', () => {
    expect(applyBasisPoints(money(1999, 'USD'), 825).minor).toBe(165);
    expect(applyBasisPoints(money(10, 'USD'), 5000).minor).toBe(5);
    expect(applyBasisPoints(money(1, 'USD'), 5000).minor).toBe(1);
  });

  it('refuses fractions, unsafe integers, unknown currencies and mixed currencies', () => {
    expect(() => money(1.5, 'USD')).toThrow(RangeError);
    expect(() => money(Number.MAX_SAFE_INTEGER + 1, 'USD')).toThrow(RangeError);
    expect(() => money(1, 'XXX')).toThrow(/unsupported currency/);
    expect(() => add(money(1, 'USD'), money(1, 'EUR'))).toThrow(/currency mismatch/);
  });

  it('formats by the currency exponent', () => {
    expect(format(money(123456, 'USD'))).toBe('1234.56 USD');
    expect(format(money(5, 'EUR'))).toBe('0.05 EUR');
    expect(format(money(-5, 'EUR'))).toBe('-0.05 EUR');
    expect(format(money(1200, 'JPY'))).toBe('1200 JPY');
  });

  it('add and subtract are inverse for any amounts (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e12, max: 1e12 }), fc.integer({ min: -1e12, max: 1e12 }), (a, b) => {
        expect(subtract(add(money(a, 'USD'), money(b, 'USD')), money(b, 'USD')).minor).toBe(a);
      }),
    );
  });

  it('basis points never stray more than half a minor unit from the exact value (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e10 }), fc.integer({ min: 0, max: 10000 }), (amount, bp) => {
        const got = BigInt(applyBasisPoints(money(amount, 'USD'), bp).minor) * 10000n;
        const exact = BigInt(amount) * BigInt(bp);
        const diff = got > exact ? got - exact : exact - got;
        expect(diff <= 5000n).toBe(true);
      }),
    );
  });
});
