import type { CancelReason } from './contracts/types.generated';

/**
 * What a customer is told of a cancellation, on the tracking page and in the notification: never
 * the internal reason (a fraud rejection reads as the store's decision, as an operator's does).
 */
const CUSTOMER_CANCEL_TEXT: Record<CancelReason, string> = {
  customer_request: 'cancelled at your request',
  out_of_stock: 'cancelled: an item is out of stock',
  payment_declined: 'cancelled: the payment was declined',
  reservation_expired: 'cancelled: the payment was not completed in time',
  fraud_rejected: 'cancelled by the store',
  operator: 'cancelled by the store',
};

export const customerCancelText = (reason: string | null): string => CUSTOMER_CANCEL_TEXT[reason as CancelReason] ?? 'cancelled';
