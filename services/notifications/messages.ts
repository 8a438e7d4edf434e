import type { Customer, NotificationKind } from '../../shared/contracts/types.generated';

/** Pure: what the customer is told at each step. */
export interface Message {
  subject: string;
  body: string;
}

export function compose(kind: NotificationKind, c: Customer, facts: { orderRef: string; carrier?: string; trackingNumber?: string; reason?: string }): Message {
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
  }
}
