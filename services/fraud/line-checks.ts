import type { OrderRow } from '../../shared/order-store';
import type { FraudDecision, OrderFacts } from './rules';

/** What fraud reads of an order to score an added line: its state, and the facts of its own check. */
export type LineOrderRow = Pick<OrderRow, 'order_id' | 'state' | 'version' | 'currency' | 'customer' | 'shipping_address'> & {
  billing_country: string | null;
  /** An operator released the order from a hold (fraud_checks.decision). */
  released: boolean;
  /** The facts its own check scored; null for an order checked before they were kept (migration 013). */
  facts: OrderFacts | null;
};

/** The columns of LineOrderRow, from `orders o LEFT JOIN fraud_checks c` (flushLines and the release read the same). */
export const LINE_ORDER_COLUMNS = `o.order_id, o.state, o.version, o.currency, o.customer, o.shipping_address,
       coalesce(o.billing_country, o.billing_address->>'country') AS billing_country, c.facts, coalesce(c.decision = 'released', false) AS released`;

/**
 * The order's total an added line is scored on when fraud could not score it on arrival: the one
 * its LineItemAdded announced, which intake keeps with the line (migration 015), as on arrival;
 * the order's total as it stands for a line added before that was kept.
 */
export const totalAtLine = (line: { order_total_minor: string | null }, orderTotalMinor: string | number): number => Number(line.order_total_minor ?? orderTotalMinor);

/** What an added line is scored on: the facts of its order's own check (or of its row) with the order's total as it stands with the line. */
export const lineFacts = (order: LineOrderRow, totalMinor: number, at: number): OrderFacts => ({ ...(order.facts ?? factsOfOrderRow(order, at)), totalMinor });

/**
 * The facts of an order checked before its facts were kept, as far as the order row has them (the
 * billing country as the check takes it: the payment's, else the billing address's), but no
 * velocity counts (the order was counted in its window at its own check). The new-customer age is
 * taken at the line's time.
 */
function factsOfOrderRow(order: LineOrderRow, at: number): OrderFacts {
  return {
    totalMinor: 0,
    currency: order.currency,
    email: order.customer.email,
    shippingCountry: order.shipping_address.country,
    billingCountry: order.billing_country,
    accountCreatedAt: order.customer.accountCreatedAt,
    placedAt: at,
    recentOrders: { customer: 0, email: 0, paymentToken: 0 },
  };
}

/**
 * What an added line's assessment means for the line, where its order stands. A review on an order
 * an operator released counts as passed: the operator has vouched for the order, and only a fail
 * refuses its lines. Stored in fraud_line_checks.decision as `stored`.
 */
export type LineOutcome = 'passed' | 'released' | 'failed' | 'refused_for_review' | 'waits_for_release';

export function lineOutcome(decision: FraudDecision, order: { state: 'Processing' | 'On_Hold'; released: boolean }): LineOutcome {
  if (decision === 'passed') return 'passed';
  if (decision === 'failed') return 'failed';
  if (order.state === 'On_Hold') return 'waits_for_release';
  return order.released ? 'released' : 'refused_for_review';
}

export const STORED_DECISION: Record<LineOutcome, 'passed' | 'released' | 'failed' | 'review'> = {
  passed: 'passed', released: 'released', failed: 'failed', refused_for_review: 'review', waits_for_release: 'review',
};
