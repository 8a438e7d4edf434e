import { z } from 'zod';
import type { OrderLineInput, PriceBreakdown, RejectionReason } from './contracts/types.generated';
import { loadRulesFile } from './rules-file';
import { add, applyBasisPoints, divideRounded, isSupportedCurrency, money, Money, MoneyOutOfRange, subtract, sum, times, zero } from './money';
import { extend } from './extend';

/**
 * get_total_price — pure: the same lines, destination, codes and rules always give the same
 * breakdown. All amounts are integer minor units of the order currency.
 *
 * Order of application:
 *  1. line discounts by SKU (percentage of quantity × unit price);
 *  2. promotion codes in the order given, each on what is left after the previous ones
 *     (percentage, fixed amount capped at what is left, free shipping), if the minimum spend
 *     (merchandise after line discounts) is met;
 *  3. shipping by method: base + per started kilogram, × the international factor outside the
 *     domestic countries; free for `standard` from the threshold, or with a free-shipping code;
 *  4. tax by destination (country + region, else country), on the goods after discounts and not on
 *     shipping. Tax-exclusive rates add tax; tax-inclusive rates extract the tax already in the price.
 *
 * Rounding: every percentage is rounded once, half away from zero, where it is computed (per line
 * discount, per promotion, per tax) — `divideRounded` in shared/money.ts is the only rounding.
 *
 * The breakdown always satisfies total = subtotal − discount + tax + shipping. For tax-inclusive
 * destinations the subtotal is shown net of the tax it contains, so that identity still holds.
 */

const perCurrency = z.record(z.string().regex(/^[A-Z]{3}$/), z.number().int().nonnegative());
const basisPoints = z.number().int().min(0).max(10000);

export const pricingRulesSchema = z.object({
  lineDiscounts: z.array(z.object({ sku: z.string().min(1), basisPoints, description: z.string().optional() })).default([]),
  promotions: z
    .array(
      z.discriminatedUnion('type', [
        z.object({ code: z.string().min(1), type: z.literal('percentage'), basisPoints, minSubtotalMinor: perCurrency.optional() }),
        z.object({ code: z.string().min(1), type: z.literal('fixed'), amountMinor: perCurrency, minSubtotalMinor: perCurrency.optional() }),
        z.object({ code: z.string().min(1), type: z.literal('free_shipping'), minSubtotalMinor: perCurrency.optional() }),
      ]),
    )
    .default([]),
  taxes: z.array(z.object({ country: z.string().regex(/^[A-Z]{2}$/), region: z.string().optional(), basisPoints, inclusive: z.boolean() })).default([]),
  shipping: z.object({
    methods: z.record(z.string(), z.object({ baseMinor: perCurrency, perKgMinor: perCurrency })),
    domesticCountries: z.array(z.string().regex(/^[A-Z]{2}$/)),
    internationalBasisPoints: z.number().int().min(0).max(100000),
    freeShippingThresholdMinor: perCurrency.default({}),
  }),
});
export type PricingRules = z.infer<typeof pricingRulesSchema>;

export const loadPricingRules = (path: string): PricingRules => loadRulesFile(path, pricingRulesSchema, 'pricing rules');

/** The currencies an order can be priced in: those some shipping method is offered in (and the money type holds). */
export function pricedCurrencies(rules: PricingRules): string[] {
  const offered = new Set(Object.values(rules.shipping.methods).flatMap((m) => Object.keys(m.baseMinor)));
  return [...offered].filter(isSupportedCurrency).sort();
}

export interface PricingInput {
  currency: string;
  lines: (OrderLineInput & { lineId: string })[];
  shippingMethod: string;
  destination: { country: string; region: string | null };
  promotionCodes: string[];
}

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
  /** Reasons the order cannot be priced (unknown code, shipping not offered); empty when priced. */
  problems: RejectionReason[];
}

const orZero = (m: Record<string, number> | undefined, currency: string) => m?.[currency] ?? 0;

/** The breakdown of an order that could not be priced: every amount 0. */
export const ZERO_BREAKDOWN: Readonly<PriceBreakdown> = Object.freeze({ subtotalMinor: 0, discountMinor: 0, taxMinor: 0, shippingMinor: 0, totalMinor: 0 });

/** Prices an order; amounts beyond what the money type holds become a `too_large` problem. */
export function getTotalPrice(input: PricingInput, rules: PricingRules): PricedOrder {
  try {
    return priceOrder(input, rules);
  } catch (e) {
    if (!(e instanceof MoneyOutOfRange)) throw e;
    return { lines: [], breakdown: ZERO_BREAKDOWN, components: [], problems: [{ field: 'lines', code: 'too_large', message: 'the order total is too large' }] };
  }
}

function priceOrder(input: PricingInput, rules: PricingRules): PricedOrder {
  const { currency } = input;
  const problems: RejectionReason[] = [];
  const components: PriceComponent[] = [];

  // 1. lines and line discounts
  const lines: PricedLine[] = input.lines.map((l) => {
    const gross = times(money(l.unitPriceMinor, currency), l.quantity);
    const rule = rules.lineDiscounts.find((d) => d.sku === l.sku);
    const discount = rule ? applyBasisPoints(gross, rule.basisPoints) : zero(currency);
    if (discount.minor > 0) components.push({ kind: 'line_discount', code: l.sku, description: rule?.description ?? `Discount on ${l.sku}`, amountMinor: -discount.minor });
    return extend(l, { discountMinor: discount.minor, lineTotalMinor: subtract(gross, discount).minor });
  });
  const subtotal = sum(lines.map((l) => times(money(l.unitPriceMinor, currency), l.quantity)), currency);
  const lineDiscounts = sum(lines.map((l) => money(l.discountMinor, currency)), currency);
  const merchandise = subtract(subtotal, lineDiscounts);

  // 2. promotions
  let promo: Money = zero(currency);
  let freeShippingCode: string | null = null;
  [...new Set(input.promotionCodes)].forEach((code, i) => {
    const rule = rules.promotions.find((p) => p.code === code);
    if (!rule) {
      problems.push({ field: `promotionCodes[${i}]`, code: 'unknown', message: `promotion code "${code}" does not exist` });
      return;
    }
    const min = orZero(rule.minSubtotalMinor, currency);
    if (merchandise.minor < min) {
      components.push({ kind: 'promotion', code, description: `${code} not applied: minimum spend ${min} not reached`, amountMinor: 0 });
      return;
    }
    const left = subtract(merchandise, promo);
    let off = zero(currency);
    if (rule.type === 'percentage') off = applyBasisPoints(left, rule.basisPoints);
    else if (rule.type === 'fixed') off = money(Math.min(orZero(rule.amountMinor, currency), left.minor), currency);
    else freeShippingCode = code;
    promo = money(promo.minor + off.minor, currency);
    components.push({ kind: 'promotion', code, description: rule.type === 'free_shipping' ? `${code}: free shipping` : `${code}`, amountMinor: -off.minor });
  });
  const discount = money(lineDiscounts.minor + promo.minor, currency);
  const goods = subtract(subtotal, discount);

  // 3. shipping
  let shipping = zero(currency);
  const method = rules.shipping.methods[input.shippingMethod];
  if (!method || method.baseMinor[currency] === undefined) {
    problems.push({ field: 'shippingMethod', code: 'unavailable', message: `shipping method "${input.shippingMethod}" is not offered in ${currency}` });
  } else {
    const grams = input.lines.reduce((g, l) => g + l.weightGrams * l.quantity, 0);
    const kg = Math.ceil(grams / 1000);
    let ship = money(orZero(method.baseMinor, currency) + orZero(method.perKgMinor, currency) * kg, currency);
    const international = !rules.shipping.domesticCountries.includes(input.destination.country);
    if (international) ship = applyBasisPoints(ship, rules.shipping.internationalBasisPoints);
    const threshold = rules.shipping.freeShippingThresholdMinor[currency];
    const overThreshold = input.shippingMethod === 'standard' && threshold !== undefined && goods.minor >= threshold;
    shipping = freeShippingCode || overThreshold ? zero(currency) : ship;
    const why = freeShippingCode ? `, free with ${freeShippingCode}` : overThreshold ? ', free over the threshold' : '';
    components.push({ kind: 'shipping', code: input.shippingMethod, description: `Shipping ${input.shippingMethod}, ${kg} kg${international ? ', international' : ''}${why}`, amountMinor: shipping.minor });
  }

  // 4. tax
  const taxRule =
    rules.taxes.find((t) => t.country === input.destination.country && t.region !== undefined && t.region === input.destination.region) ??
    rules.taxes.find((t) => t.country === input.destination.country && t.region === undefined);
  let tax = zero(currency);
  let shownSubtotal = subtotal;
  if (taxRule && taxRule.basisPoints > 0) {
    if (taxRule.inclusive) {
      const net = Number(divideRounded(BigInt(goods.minor) * 10000n, BigInt(10000 + taxRule.basisPoints)));
      tax = money(goods.minor - net, currency);
      shownSubtotal = subtract(subtotal, tax);
    } else {
      tax = applyBasisPoints(goods, taxRule.basisPoints);
    }
  }
  const place = taxRule ? `${taxRule.country}${taxRule.region ? `-${taxRule.region}` : ''}` : input.destination.country;
  components.push({ kind: 'tax', code: place, description: `Tax ${place} ${(taxRule?.basisPoints ?? 0) / 100} %${taxRule?.inclusive ? ' (included in prices)' : ''}`, amountMinor: tax.minor });

  const total = add(add(goods, taxRule?.inclusive ? zero(currency) : tax), shipping).minor;
  components.unshift({ kind: 'subtotal', code: null, description: taxRule?.inclusive ? 'Lines (net of included tax)' : 'Lines', amountMinor: shownSubtotal.minor });
  components.push({ kind: 'total', code: null, description: 'Total', amountMinor: total });
  return {
    lines,
    breakdown: { subtotalMinor: shownSubtotal.minor, discountMinor: discount.minor, taxMinor: tax.minor, shippingMinor: shipping.minor, totalMinor: total },
    components,
    problems,
  };
}
