import { validateSubmitOrder } from '../../services/intake/validation';
import { aSubmitOrder } from '../support/orders';

const codes = (o: Parameters<typeof validateSubmitOrder>[0]) => validateSubmitOrder(o).map((r) => `${r.field}:${r.code}`);

describe('SubmitOrder validation', () => {
  it('accepts a complete order', () => {
    expect(codes(aSubmitOrder())).toEqual([]);
  });

  it.each([
    ['no lines', { lines: [] }, ['lines:required']],
    ['unsupported currency', { currency: 'ABC' }, ['currency:unsupported']],
    ['unknown shipping method', { shippingMethod: 'teleport' }, ['shippingMethod:unsupported']],
    ['blank channel reference', { channelOrderRef: '  ' }, ['channelOrderRef:required']],
    ['zero quantity', { lines: [{ sku: 'A', name: 'A', quantity: 0, unitPriceMinor: 1, weightGrams: 0 }] }, ['lines[0].quantity:out_of_range']],
    ['negative price', { lines: [{ sku: 'A', name: 'A', quantity: 1, unitPriceMinor: -1, weightGrams: 0 }] }, ['lines[0].unitPriceMinor:negative']],
    ['bad sku', { lines: [{ sku: 'a b', name: 'A', quantity: 1, unitPriceMinor: 1, weightGrams: 0 }] }, ['lines[0].sku:invalid']],
    ['lowercase country', { shippingAddress: { ...aSubmitOrder().shippingAddress, country: 'us' } }, ['shippingAddress.country:invalid']],
    ['unknown payment method', { payment: { method: 'cash', token: 't', billingCountry: null } }, ['payment.method:unsupported']],
    ['a billing country in lower case (the fraud block list and mismatch rule compare upper case)', { payment: { method: 'card', token: 't', billingCountry: 'kp' } }, ['payment.billingCountry:invalid']],
  ])('rejects %s with a named reason', (_what, override, expected) => {
    expect(codes(aSubmitOrder(override as never))).toEqual(expected);
  });

  it('requires a phone for SMS contact and an e-mail address that looks like one', () => {
    const base = aSubmitOrder();
    expect(codes(aSubmitOrder({ customer: { ...base.customer, contactPreference: 'SMS', phone: null } }))).toEqual(['customer.phone:required']);
    expect(codes(aSubmitOrder({ customer: { ...base.customer, email: 'ada.example.com' } }))).toEqual(['customer.email:invalid']);
  });

  it('gives every reason a readable message', () => {
    for (const r of validateSubmitOrder(aSubmitOrder({ currency: 'ABC', lines: [] }))) expect(r.message).toMatch(/^[\w.[\]]+ .{8,}/);
  });
});
