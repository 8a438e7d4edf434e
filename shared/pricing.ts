import type { OrderLineInput, PriceBreakdown } from './contracts/types.generated';
import { add, money, Money, subtract, sum, times, zero } from './money';

/**
 * get_total_price. Pure: the same lines, destination and rules always give the same breakdown.
 * Amounts are integer minor units of the order currency; total = subtotal − discount + tax + shipping.
 *
 * This first version prices lines and shipping by method with a free-shipping threshold; taxes and
 * promotions are zero until the pricing rules file lands (issue 3).
 */
export interface PricingRules {
  /** Shipping price per method, in minor units of the order currency. */
  shippingByMethod: Record<string, number>;
  /** Subtotal (after discounts) from which standard shipping is free; null = never. */
  freeShippingThresholdMinor: number | null;
}

export const DEFAULT_PRICING_RULES: PricingRules = {
  shippingByMethod: { standard: 499, express: 999, overnight: 1999 },
  freeShippingThresholdMinor: 5000,
};

export interface PricedLine extends OrderLineInput {
  lineId: string;
  discountMinor: number;
  lineTotalMinor: number;
}

export interface PriceComponent {
  kind: 'subtotal' | 'line_discount' | 'promotion' | 'tax' | 'shipping' | 'total';
  code: string | null;
  description: string;
  amountMinor: number;
}

export interface PricedOrder {
  lines: PricedLine[];
  breakdown: PriceBreakdown;
  components: PriceComponent[];
}

export function getTotalPrice(
  input: { currency: string; lines: (OrderLineInput & { lineId: string })[]; shippingMethod: string },
  rules: PricingRules = DEFAULT_PRICING_RULES,
): PricedOrder {
  const { currency } = input;
  const lines: PricedLine[] = input.lines.map((l) => {
    const gross = times(money(l.unitPriceMinor, currency), l.quantity);
    return { ...l, discountMinor: 0, lineTotalMinor: gross.minor };
  });
  const subtotal: Money = sum(lines.map((l) => money(l.lineTotalMinor, currency)), currency);
  const discount = zero(currency);
  const tax = zero(currency);
  const afterDiscount = subtract(subtotal, discount);
  const base = money(rules.shippingByMethod[input.shippingMethod] ?? 0, currency);
  const freeShipping = input.shippingMethod === 'standard' && rules.freeShippingThresholdMinor !== null && afterDiscount.minor >= rules.freeShippingThresholdMinor;
  const shipping = freeShipping ? zero(currency) : base;
  const total = add(add(afterDiscount, tax), shipping);
  return {
    lines,
    breakdown: { subtotalMinor: subtotal.minor, discountMinor: discount.minor, taxMinor: tax.minor, shippingMinor: shipping.minor, totalMinor: total.minor },
    components: [
      { kind: 'subtotal', code: null, description: 'Lines', amountMinor: subtotal.minor },
      { kind: 'shipping', code: input.shippingMethod, description: freeShipping ? `Shipping (${input.shippingMethod}, free over threshold)` : `Shipping (${input.shippingMethod})`, amountMinor: shipping.minor },
      { kind: 'total', code: null, description: 'Total', amountMinor: total.minor },
    ],
  };
}
