import type { Customer, NotificationKind } from '../../shared/contracts/types.generated';

/** Pure: what the customer is told at each step. */
export interface Message {
  subject: string;
  body: string;
}

/** What a notification says beyond the customer and the order: the shipment, a reason, the refused item. */
export interface Facts {
  carrier?: string;
  trackingNumber?: string;
  reason?: string;
  item?: string;
}

/**
 * Why an added line was refused, as the customer reads it: never the internal reason (a fraud
 * refusal reads as the store's decision, as it does for a cancelled order).
 */
const LINE_REFUSAL_TEXT: Record<string, string> = {
  out_of_stock: 'it is out of stock',
  payment_declined: 'the payment for it was declined',
  fraud_rejected: 'the store could not accept it',
  fraud_review: 'the store could not accept it',
  not_addable: 'your order can no longer be changed',
  invalid_line: 'the item could not be added as sent',
};
export const customerLineRefusalText = (reasonCode: string): string => LINE_REFUSAL_TEXT[reasonCode] ?? 'the store could not accept it';

export function compose(kind: NotificationKind, c: Customer, facts: Facts & { orderRef: string }): Message {
  const hello = `Hello ${c.name},`;
  switch (kind) {
    case 'PLACED':
      return { subject: `We received your order ${facts.orderRef}`, body: `${hello} thank you, your order ${facts.orderRef} is placed.` };
    case 'REJECTED':
      return { subject: `We could not accept order ${facts.orderRef}`, body: `${hello} your order ${facts.orderRef} could not be accepted: ${facts.reason}.` };
    case 'CONFIRMED':
      return { subject: `Order ${facts.orderRef} is confirmed`, body: `${hello} payment is authorized and the warehouse is preparing order ${facts.orderRef}.` };
    case 'SHIPPED':
      return { subject: `Order ${facts.orderRef} is on its way`, body: `${hello} your order ${facts.orderRef} shipped with ${facts.carrier}, tracking number ${facts.trackingNumber}.` };
    case 'DELIVERED':
      return { subject: `Order ${facts.orderRef} was delivered`, body: `${hello} your order ${facts.orderRef} was delivered.` };
    case 'CANCELLED':
      return { subject: `Order ${facts.orderRef} was cancelled`, body: `${hello} your order ${facts.orderRef} was ${facts.reason}. Anything charged is returned.` };
    case 'LINE_REFUSED':
      return { subject: `An item could not be added to order ${facts.orderRef}`, body: `${hello} we could not add ${facts.item} to your order ${facts.orderRef}: ${facts.reason}. Your order goes on without it, and you are not charged for it.` };
  }
}
