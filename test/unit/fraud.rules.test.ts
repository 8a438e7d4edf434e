import { join } from 'path';
import { mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { loadServiceDeps } from '../../services/deps';
import { assessOrder, checkFraudCoversCurrencies, loadFraudRules, OrderFacts } from '../../services/fraud/rules';
import { loadConfig } from '../../shared/config';
import { loadPricingRules, pricedCurrencies } from '../../shared/pricing';

const rules = loadFraudRules(join(__dirname, '../../config/fraud.json'));
const NOW = Date.parse('2026-06-01T12:00:00Z');
const facts = (over: Partial<OrderFacts> = {}): OrderFacts => ({
  totalMinor: 5000, currency: 'USD', email: 'ada@example.com', shippingCountry: 'US', billingCountry: 'US',
  accountCreatedAt: NOW - 400 * 86_400_000, placedAt: NOW, recentOrders: { customer: 1, email: 1, paymentToken: 1 }, ...over,
});

describe('fraud rules', () => {
  it('passes an ordinary order with score 0', () => {
    expect(assessOrder(facts(), rules)).toEqual({ decision: 'passed', score: 0, reasons: [] });
  });
  it('fails block-listed e-mail domains and countries outright', () => {
    expect(assessOrder(facts({ email: 'x@Fraud.Example' }), rules)).toMatchObject({ decision: 'failed', reasons: ['blocked_email_domain:fraud.example'] });
    expect(assessOrder(facts({ shippingCountry: 'KP' }), rules).decision).toBe('failed');
  });
  it('reviews amounts above the currency review threshold and fails above the fail threshold', () => {
    expect(assessOrder(facts({ totalMinor: 200001 }), rules)).toMatchObject({ decision: 'review', score: 50 });
    expect(assessOrder(facts({ totalMinor: 1000001 }), rules).decision).toBe('failed');
    expect(assessOrder(facts({ totalMinor: 200001, currency: 'JPY' }), rules).decision).toBe('passed');
  });
  it('scores velocity per customer, e-mail and payment token over the window', () => {
    const a = assessOrder(facts({ recentOrders: { customer: 6, email: 1, paymentToken: 1 } }), rules);
    expect(a).toMatchObject({ decision: 'review', score: 60, reasons: ['velocity_customer:6_in_60m'] });
    expect(assessOrder(facts({ recentOrders: { customer: 6, email: 6, paymentToken: 4 } }), rules).decision).toBe('failed');
  });
  it('adds billing/shipping country mismatch and new customers with high-value orders', () => {
    expect(assessOrder(facts({ billingCountry: 'FR' }), rules)).toMatchObject({ decision: 'passed', score: 30 });
    const fresh = assessOrder(facts({ accountCreatedAt: NOW - 86_400_000, totalMinor: 60000, billingCountry: 'FR' }), rules);
    expect(fresh).toMatchObject({ decision: 'failed', score: 80 });
    expect(assessOrder(facts({ accountCreatedAt: null, totalMinor: 50000 }), rules).decision).toBe('review');
  });

  it('when an order is in any currency pricing offers (JPY too), then the amount rules apply to it', () => {
    const pricing = loadPricingRules(join(__dirname, '../../config/pricing.json'));
    expect(pricedCurrencies(pricing)).toEqual(['EUR', 'GBP', 'JPY', 'USD']);
    expect(assessOrder(facts({ currency: 'JPY', totalMinor: 50_000_000, accountCreatedAt: null }), rules)).toMatchObject({ decision: 'failed', reasons: expect.arrayContaining(['amount_above_fail_threshold:1500000']) });
  });

  it('when the fraud rules leave out a priced currency, or have a review threshold above the fail one, then start-up is refused naming it', () => {
    const { JPY: _j, ...withoutYen } = rules.amountThresholds;
    expect(() => checkFraudCoversCurrencies({ ...rules, amountThresholds: withoutYen }, ['JPY', 'USD'], 'fraud.json')).toThrow('leave out currencies orders are priced in: amountThresholds.JPY');
    const dir = mkdtempSync(join(tmpdir(), 'fraud-rules-'));
    const raw = JSON.parse(readFileSync(join(__dirname, '../../config/fraud.json'), 'utf8'));
    const write = (name: string, value: unknown) => { writeFileSync(join(dir, name), JSON.stringify(value)); return join(dir, name); };
    expect(() => loadFraudRules(write('inverted.json', { ...raw, amountThresholds: { USD: { reviewAboveMinor: 5, failAboveMinor: 1 } } }))).toThrow(/amountThresholds\.USD: reviewAboveMinor must not be above failAboveMinor/);
    expect(() => loadFraudRules(write('lower.json', { ...raw, amountThresholds: { usd: { reviewAboveMinor: 1, failAboveMinor: 5 } } }))).toThrow(/amountThresholds\.usd: Invalid key/);
    expect(() => loadFraudRules(write('scores.json', { ...raw, reviewScore: 90 }))).toThrow(/reviewScore must be below failScore/);
    const { JPY: _y, ...yenless } = raw.amountThresholds;
    expect(() => loadServiceDeps(loadConfig({ FRAUD_RULES_FILE: write('yenless.json', { ...raw, amountThresholds: yenless }) }))).toThrow(/amountThresholds\.JPY/);
  });
});
