import fc from 'fast-check';
import { join } from 'path';
import { getTotalPrice, loadPricingRules, PricingInput, PricingRules } from '../../shared/pricing';

const rules = loadPricingRules(join(__dirname, '../../config/pricing.json'));
const base: PricingInput = {
  currency: 'USD',
  shippingMethod: 'standard',
  destination: { country: 'US', region: 'CA' },
  promotionCodes: [],
  lines: [{ lineId: 'L1', sku: 'BOOK', name: 'Book', quantity: 1, unitPriceMinor: 1000, weightGrams: 500 }],
};
const price = (over: Partial<PricingInput> = {}, r: PricingRules = rules) => getTotalPrice({ ...base, ...over }, r).breakdown;

describe('get_total_price', () => {
  it('turns amounts the money type cannot hold into a too_large problem, never a crash (3 × 2.27e15 plus tax)', () => {
    const line = { lineId: 'L1', sku: 'BOOK', name: 'Book', quantity: 1, unitPriceMinor: 2_270_000_000_000_000, weightGrams: 500 };
    const priced = getTotalPrice({ ...base, lines: [line, { ...line, lineId: 'L2' }, { ...line, lineId: 'L3' }, { ...line, lineId: 'L4' }] }, rules);
    expect(priced.problems).toEqual([{ field: 'lines', code: 'too_large', message: 'the order total is too large' }]);
  });

  it('prices lines, tax by region and shipping by weight: 1000 + 8.25 % (82.5 → 83) + 499 + 1 kg × 100', () => {
    expect(price()).toEqual({ subtotalMinor: 1000, discountMinor: 0, taxMinor: 83, shippingMinor: 599, totalMinor: 1682 });
  });

  it('falls back to the country rate when the region has none (US elsewhere: 0 %)', () => {
    expect(price({ destination: { country: 'US', region: 'TX' } }).taxMinor).toBe(0);
  });

  it('applies line discounts by SKU, rounding half away from zero per line (10 % of 1005 = 100.5 → 101)', () => {
    const b = price({ lines: [{ lineId: 'L1', sku: 'SKU-MUG', name: 'Mug', quantity: 1, unitPriceMinor: 1005, weightGrams: 0 }] });
    expect(b.discountMinor).toBe(101);
  });

  it('applies a percentage code on what is left after line discounts, only from the minimum spend', () => {
    expect(price({ promotionCodes: ['SAVE10'] }).discountMinor).toBe(0); // 1000 < 2000 minimum
    const b = price({ promotionCodes: ['SAVE10'], lines: [{ ...base.lines[0]!, quantity: 3 }] });
    expect(b.discountMinor).toBe(300);
  });

  it('caps a fixed-amount code at the merchandise value', () => {
    const g = getTotalPrice({ ...base, promotionCodes: ['FIVEOFF'], lines: [{ ...base.lines[0]!, unitPriceMinor: 2500 }] }, rules);
    expect(g.breakdown.discountMinor).toBe(500);
    const tiny: PricingRules = { ...rules, promotions: [{ code: 'BIG', type: 'fixed', amountMinor: { USD: 99999 } }] };
    expect(price({ promotionCodes: ['BIG'] }, tiny)).toMatchObject({ discountMinor: 1000, taxMinor: 0, totalMinor: 599 });
  });

  it('makes shipping free with a free-shipping code, and for standard shipping from the threshold', () => {
    expect(price({ promotionCodes: ['FREESHIP'] }).shippingMinor).toBe(0);
    expect(price({ lines: [{ ...base.lines[0]!, unitPriceMinor: 5000 }] }).shippingMinor).toBe(0);
    expect(price({ shippingMethod: 'express', lines: [{ ...base.lines[0]!, unitPriceMinor: 5000 }] }).shippingMinor).toBe(1199);
  });

  it('charges shipping per started kilogram and doubles it abroad', () => {
    expect(price({ lines: [{ ...base.lines[0]!, weightGrams: 1001 }] }).shippingMinor).toBe(499 + 200);
    expect(price({ destination: { country: 'CA', region: null } }).shippingMinor).toBe(2 * 599);
  });

  it('extracts tax already included in prices for tax-inclusive countries: 1000 at 19 % holds 159.66 → 160', () => {
    const b = price({ currency: 'EUR', destination: { country: 'DE', region: null } });
    expect(b).toEqual({ subtotalMinor: 840, discountMinor: 0, taxMinor: 160, shippingMinor: 2 * 540, totalMinor: 1000 + 1080 }); // DE ships internationally from here
  });

  it('refuses an unknown code and a shipping method not offered in the currency, with readable reasons', () => {
    const g = getTotalPrice({ ...base, currency: 'CHF', promotionCodes: ['NOPE'] }, rules);
    expect(g.problems.map((p) => p.field)).toEqual(['promotionCodes[0]', 'shippingMethod']);
    expect(g.problems[0]!.message).toBe('promotion code "NOPE" does not exist');
  });

  it('always gives total = subtotal − discount + tax + shipping, never negative, in integers (property)', () => {
    const line = fc.record({
      lineId: fc.string({ minLength: 1, maxLength: 4 }),
      sku: fc.constantFrom('SKU-MUG', 'BOOK', 'TEA'),
      name: fc.constant('x'),
      quantity: fc.integer({ min: 1, max: 1000 }),
      unitPriceMinor: fc.integer({ min: 0, max: 10_000_000 }),
      weightGrams: fc.integer({ min: 0, max: 50_000 }),
    });
    fc.assert(
      fc.property(
        fc.array(line, { minLength: 1, maxLength: 8 }),
        fc.constantFrom('USD', 'EUR', 'GBP'),
        fc.constantFrom(['US', 'CA'], ['US', 'NY'], ['US', null], ['DE', null], ['GB', null], ['FR', null], ['JP', null]),
        fc.subarray(['SAVE10', 'FIVEOFF', 'FREESHIP']),
        fc.constantFrom('standard', 'express', 'overnight'),
        (lines, currency, [country, region], promotionCodes, shippingMethod) => {
          const g = getTotalPrice({ currency, lines, destination: { country: country!, region }, promotionCodes, shippingMethod }, rules);
          const b = g.breakdown;
          expect(g.problems).toEqual([]);
          expect(b.totalMinor).toBe(b.subtotalMinor - b.discountMinor + b.taxMinor + b.shippingMinor);
          for (const v of Object.values(b)) {
            expect(Number.isSafeInteger(v)).toBe(true);
            expect(v).toBeGreaterThanOrEqual(0);
          }
          expect(g.components.at(-1)).toMatchObject({ kind: 'total', amountMinor: b.totalMinor });
          expect(g.lines.reduce((n, l) => n + l.lineTotalMinor, 0)).toBe(lines.reduce((n, l) => n + l.quantity * l.unitPriceMinor, 0) - g.lines.reduce((n, l) => n + l.discountMinor, 0));
        },
      ),
      { numRuns: 500 },
    );
  });
});
