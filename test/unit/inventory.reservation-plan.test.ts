import fc from 'fast-check';
import { planReservation, StockRow, sumBySku } from '../../services/inventory/reservation-plan';

const stock: StockRow[] = [
  { sku: 'A', location: 'east', on_hand: 5, reserved: 2 },
  { sku: 'A', location: 'west', on_hand: 4, reserved: 0 },
  { sku: 'B', location: 'east', on_hand: 1, reserved: 1 },
];

describe('reservation planning', () => {
  it('sums lines sharing a SKU before reserving', () => {
    expect(sumBySku([{ sku: 'B', quantity: 1 }, { sku: 'A', quantity: 2 }, { sku: 'A', quantity: 3 }])).toEqual([{ sku: 'A', quantity: 5 }, { sku: 'B', quantity: 1 }]);
  });
  it('takes from the locations with most available, splitting when needed', () => {
    expect(planReservation([{ sku: 'A', quantity: 3 }, { sku: 'A', quantity: 3 }], stock)).toEqual({
      ok: true, takes: [{ sku: 'A', location: 'west', quantity: 4 }, { sku: 'A', location: 'east', quantity: 2 }],
    });
  });
  it('plans nothing when any SKU is short or unknown, naming each', () => {
    expect(planReservation([{ sku: 'A', quantity: 1 }, { sku: 'B', quantity: 1 }, { sku: 'Z', quantity: 1 }], stock)).toEqual({
      ok: false,
      shortages: [
        { sku: 'B', requested: 1, available: 0, reason: 'insufficient_stock' },
        { sku: 'Z', requested: 1, available: 0, reason: 'unknown_sku' },
      ],
    });
  });
  it('never plans more than is available at any location (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ sku: fc.constantFrom('A', 'B', 'C'), location: fc.constantFrom('x', 'y'), on_hand: fc.nat(20), reserved: fc.nat(20) }), { maxLength: 6 }),
        fc.array(fc.record({ sku: fc.constantFrom('A', 'B', 'C'), quantity: fc.integer({ min: 1, max: 15 }) }), { minLength: 1, maxLength: 5 }),
        (rows, demand) => {
          const unique = [...new Map(rows.map((r) => [`${r.sku}/${r.location}`, r])).values()];
          const plan = planReservation(demand, unique);
          if (!plan.ok) return;
          for (const t of plan.takes) {
            const row = unique.find((r) => r.sku === t.sku && r.location === t.location)!;
            expect(t.quantity).toBeLessThanOrEqual(Math.max(0, row.on_hand - row.reserved));
          }
          for (const d of sumBySku(demand)) expect(plan.takes.filter((t) => t.sku === d.sku).reduce((n, t) => n + t.quantity, 0)).toBe(d.quantity);
        },
      ),
    );
  });
});
