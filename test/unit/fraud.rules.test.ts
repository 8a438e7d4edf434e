import { join } from 'path';
import { assessOrder, loadFraudRules, OrderFacts } from '../../services/fraud/rules';

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
});
