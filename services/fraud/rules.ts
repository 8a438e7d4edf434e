import { z } from 'zod';
import { loadRulesFile } from '../../shared/rules-file';

/** Fraud rules: pure scoring of one order from its facts; thresholds come from config/fraud.json. */
const perCurrency = z.record(z.string().regex(/^[A-Z]{3}$/), z.number().int().nonnegative());

const amountLimits = z.object({ reviewAboveMinor: z.number().int().nonnegative(), failAboveMinor: z.number().int().nonnegative() })
  .refine((l) => l.reviewAboveMinor <= l.failAboveMinor, 'reviewAboveMinor must not be above failAboveMinor');

export const fraudRulesSchema = z.object({
  reviewScore: z.number().int().positive(),
  failScore: z.number().int().positive(),
  amountThresholds: z.record(z.string().regex(/^[A-Z]{3}$/), amountLimits),
  amountReviewScore: z.number().int().nonnegative(),
  velocity: z.object({
    windowMinutes: z.number().int().positive(),
    maxOrdersPerCustomer: z.number().int().positive(),
    maxOrdersPerEmail: z.number().int().positive(),
    maxOrdersPerPaymentToken: z.number().int().positive(),
    score: z.number().int().nonnegative(),
  }),
  countryMismatchScore: z.number().int().nonnegative(),
  blockedEmailDomains: z.array(z.string()),
  blockedCountries: z.array(z.string().regex(/^[A-Z]{2}$/)),
  newCustomer: z.object({ maxAgeDays: z.number().int().nonnegative(), highValueMinor: perCurrency, score: z.number().int().nonnegative() }),
}).refine((r) => r.reviewScore < r.failScore, { message: 'reviewScore must be below failScore', path: ['reviewScore'] });
export type FraudRules = z.infer<typeof fraudRulesSchema>;

export const loadFraudRules = (path: string): FraudRules => loadRulesFile(path, fraudRulesSchema, 'fraud rules');

/**
 * Refuses fraud rules that leave out a currency orders can be priced in: an order in it would
 * skip the amount and new-customer rules, so a guest's ¥50,000,000 order scored 0 and passed.
 */
export function checkFraudCoversCurrencies(rules: FraudRules, currencies: readonly string[], path: string): void {
  const missing = [
    ...currencies.filter((c) => !rules.amountThresholds[c]).map((c) => `amountThresholds.${c}`),
    ...currencies.filter((c) => rules.newCustomer.highValueMinor[c] === undefined).map((c) => `newCustomer.highValueMinor.${c}`),
  ];
  if (missing.length) throw new Error(`fraud rules ${path} leave out currencies orders are priced in: ${missing.join(', ')}`);
}

export interface OrderFacts {
  totalMinor: number;
  currency: string;
  email: string;
  shippingCountry: string;
  billingCountry: string | null;
  accountCreatedAt: number | null;
  placedAt: number;
  /** Orders in the velocity window, this one included. */
  recentOrders: { customer: number; email: number; paymentToken: number };
}

export type FraudDecision = 'passed' | 'review' | 'failed';
export interface FraudAssessment {
  decision: FraudDecision;
  score: number;
  reasons: string[];
}

const DAY_MS = 86_400_000;

export function assessOrder(f: OrderFacts, rules: FraudRules): FraudAssessment {
  const reasons: string[] = [];
  let score = 0;
  let blocked = false;
  const hit = (points: number, reason: string) => {
    score += points;
    reasons.push(reason);
  };

  const domain = f.email.slice(f.email.lastIndexOf('@') + 1).toLowerCase();
  if (rules.blockedEmailDomains.includes(domain)) {
    blocked = true;
    reasons.push(`blocked_email_domain:${domain}`);
  }
  for (const country of new Set([f.shippingCountry, f.billingCountry].filter((c): c is string => !!c))) {
    if (rules.blockedCountries.includes(country)) {
      blocked = true;
      reasons.push(`blocked_country:${country}`);
    }
  }
  const limits = rules.amountThresholds[f.currency];
  if (limits && f.totalMinor > limits.failAboveMinor) {
    blocked = true;
    reasons.push(`amount_above_fail_threshold:${limits.failAboveMinor}`);
  } else if (limits && f.totalMinor > limits.reviewAboveMinor) {
    hit(rules.amountReviewScore, `amount_above_review_threshold:${limits.reviewAboveMinor}`);
  }
  const v = rules.velocity;
  if (f.recentOrders.customer > v.maxOrdersPerCustomer) hit(v.score, `velocity_customer:${f.recentOrders.customer}_in_${v.windowMinutes}m`);
  if (f.recentOrders.email > v.maxOrdersPerEmail) hit(v.score, `velocity_email:${f.recentOrders.email}_in_${v.windowMinutes}m`);
  if (f.recentOrders.paymentToken > v.maxOrdersPerPaymentToken) hit(v.score, `velocity_payment_token:${f.recentOrders.paymentToken}_in_${v.windowMinutes}m`);
  if (f.billingCountry && f.billingCountry !== f.shippingCountry) hit(rules.countryMismatchScore, `billing_shipping_country_mismatch:${f.billingCountry}/${f.shippingCountry}`);
  const highValue = rules.newCustomer.highValueMinor[f.currency];
  const isNew = f.accountCreatedAt === null || f.placedAt - f.accountCreatedAt < rules.newCustomer.maxAgeDays * DAY_MS;
  if (isNew && highValue !== undefined && f.totalMinor >= highValue) hit(rules.newCustomer.score, `new_customer_high_value:${f.totalMinor}`);

  const decision: FraudDecision = blocked || score >= rules.failScore ? 'failed' : score >= rules.reviewScore ? 'review' : 'passed';
  return { decision, score: blocked ? Math.max(score, 100) : Math.min(score, 100), reasons };
}
