import type { OrderRow } from '../../shared/order-store';
import type { OrderFacts } from './rules';

/** What fraud reads of an order to score an added line: its state, and the facts of its own check. */
export type LineOrderRow = Pick<OrderRow, 'order_id' | 'state' | 'version' | 'currency' | 'customer' | 'shipping_address'> & {
  billing_country: string | null;
  /** The facts its own check scored; null for an order checked before they were kept (migration 013). */
  facts: OrderFacts | null;
};

/**
 * The facts of an order checked before its facts were kept, as far as the order row has them (the
 * billing country as the check takes it: the payment's, else the billing address's), but no
 * velocity counts (the order was
 * counted in its window at its own check). The new-customer age is taken at the line's time.
 */
export function factsOfOrderRow(order: LineOrderRow, at: number): OrderFacts {
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
