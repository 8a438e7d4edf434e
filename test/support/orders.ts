import { randomUUID } from 'crypto';
import { newEnvelope } from '../../shared/contracts/envelope';
import type { SubmitOrder } from '../../shared/contracts/types.generated';

/** A valid SubmitOrder with fresh ids; override what the test is about. */
export function aSubmitOrder(overrides: Partial<SubmitOrder> = {}): SubmitOrder {
  const shopper = randomUUID().slice(0, 8); // distinct customer, e-mail and card: fraud velocity stays quiet
  return {
    ...newEnvelope('test-channel', randomUUID()),
    orderId: randomUUID(),
    channel: 'web',
    channelOrderRef: `WEB-${randomUUID()}`,
    customer: {
      customerId: `C-${shopper}`,
      email: `ada.${shopper}@example.com`,
      phone: '+14155550100',
      name: 'Ada Lovelace',
      contactPreference: 'EMAIL',
      accountCreatedAt: Date.parse('2024-01-01T00:00:00Z'),
    },
    shippingAddress: { name: 'Ada Lovelace', line1: '1 Analytical Way', line2: null, city: 'San Francisco', region: 'CA', postalCode: '94105', country: 'US' },
    billingAddress: null,
    lines: [
      { sku: 'SKU-MUG', name: 'Mug', quantity: 2, unitPriceMinor: 1250, weightGrams: 350 },
      { sku: 'SKU-TEA', name: 'Tea', quantity: 1, unitPriceMinor: 899, weightGrams: 260 },
    ],
    currency: 'USD',
    shippingMethod: 'standard',
    promotionCodes: [],
    payment: { method: 'card', token: `tok_approve_${shopper}`, billingCountry: 'US' },
    deliveryPreferences: { instructions: 'Leave with the concierge', preferredWindow: null },
    ...overrides,
  };
}
