import type { Address, OrderLineInput, RejectionReason, SubmitOrder } from '../../shared/contracts/types.generated';
import { isSupportedCurrency } from '../../shared/money';
import { UUID } from '../../shared/uuid';
import { isValidSku } from '../../shared/sku';

/** Rules a SubmitOrder must meet; pure, so every rejection reason is unit-tested. */
export const LIMITS = { maxLines: 100, maxQuantity: 10_000, maxText: 200 } as const;
export const SHIPPING_METHODS = ['standard', 'express', 'overnight'] as const;
export const PAYMENT_METHODS = ['card', 'wallet', 'invoice'] as const;

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const PHONE = /^\+[1-9]\d{6,14}$/;
const COUNTRY = /^[A-Z]{2}$/;
const CONTROL = /\p{Cc}/u;
/** Bytes a btree index entry of the order store can take, with room to spare (Postgres: 2704). */
const MAX_INDEXED_BYTES = 2000;

/** A value quoted for a reason: escaped (no control characters) and cut to a readable length. */
const shown = (value: string) => JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);

type Reasons = RejectionReason[];
const reason = (field: string, code: string, message: string): RejectionReason => ({ field, code, message });

function text(out: Reasons, field: string, value: string | null, required = true): void {
  if (value === null || value.trim() === '') {
    if (required) out.push(reason(field, 'required', `${field} is required`));
  } else if (value.length > LIMITS.maxText) {
    out.push(reason(field, 'too_long', `${field} is longer than ${LIMITS.maxText} characters`));
  }
}

function address(out: Reasons, field: string, a: Address): void {
  text(out, `${field}.name`, a.name);
  text(out, `${field}.line1`, a.line1);
  text(out, `${field}.line2`, a.line2, false);
  text(out, `${field}.city`, a.city);
  text(out, `${field}.postalCode`, a.postalCode);
  if (!COUNTRY.test(a.country)) out.push(reason(`${field}.country`, 'invalid', `${field}.country must be an ISO 3166-1 alpha-2 code such as US, got ${shown(a.country)}`));
}

export function validateSubmitOrder(cmd: SubmitOrder): RejectionReason[] {
  const out: Reasons = [];
  text(out, 'channel', cmd.channel);
  text(out, 'channelOrderRef', cmd.channelOrderRef);
  const c = cmd.customer;
  text(out, 'customer.customerId', c.customerId);
  text(out, 'customer.name', c.name);
  if (!EMAIL.test(c.email)) out.push(reason('customer.email', 'invalid', 'customer.email is not an e-mail address'));
  if (c.phone !== null && !PHONE.test(c.phone)) out.push(reason('customer.phone', 'invalid', 'customer.phone must be in E.164 form, e.g. +14155550100'));
  if (c.contactPreference === 'SMS' && c.phone === null) out.push(reason('customer.phone', 'required', 'customer.phone is required when the contact preference is SMS'));
  address(out, 'shippingAddress', cmd.shippingAddress);
  if (cmd.billingAddress) address(out, 'billingAddress', cmd.billingAddress);
  if (!isSupportedCurrency(cmd.currency)) out.push(reason('currency', 'unsupported', `currency ${shown(cmd.currency)} is not supported`));
  if (!(SHIPPING_METHODS as readonly string[]).includes(cmd.shippingMethod)) {
    out.push(reason('shippingMethod', 'unsupported', `shippingMethod must be one of ${SHIPPING_METHODS.join(', ')}`));
  }
  if (!(PAYMENT_METHODS as readonly string[]).includes(cmd.payment.method)) {
    out.push(reason('payment.method', 'unsupported', `payment.method must be one of ${PAYMENT_METHODS.join(', ')}`));
  }
  text(out, 'payment.token', cmd.payment.token);
  // fraud compares it with the blocked countries and the shipping country, both upper case
  const billing = cmd.payment.billingCountry;
  if (billing !== null && !COUNTRY.test(billing)) out.push(reason('payment.billingCountry', 'invalid', `payment.billingCountry must be an ISO 3166-1 alpha-2 code such as US, got ${shown(billing)}`));
  cmd.promotionCodes.forEach((code, i) => {
    // pricing names an unknown code in its reason: keep that short and printable
    if (code.length > 64 || CONTROL.test(code)) out.push(reason(`promotionCodes[${i}]`, 'invalid', `promotionCodes[${i}] must be at most 64 printable characters`));
  });
  if (cmd.lines.length === 0) out.push(reason('lines', 'required', 'an order needs at least one line'));
  if (cmd.lines.length > LIMITS.maxLines) {
    out.push(reason('lines', 'too_many', `an order has at most ${LIMITS.maxLines} lines`)); // not each line too: the reasons stay few
    return out;
  }
  const lineReasons = cmd.lines.flatMap((l, i) => validateLine(l, `lines[${i}]`));
  out.push(...lineReasons);
  const amount = cmd.lines.reduce((n, l) => n + l.quantity * l.unitPriceMinor, 0);
  if (lineReasons.length === 0 && !Number.isSafeInteger(amount)) out.push(reason('lines', 'too_large', 'the order amount is too large'));
  return out;
}

/**
 * Why a SubmitOrder cannot be stored at all, not even Rejected (it is dead-lettered instead), or
 * null: ids the order store keeps as UUIDs, a time it cannot hold, a NUL character (Postgres text
 * and jsonb cannot hold U+0000), or an idempotency key or customer id too long for its index.
 */
export function unstorable(cmd: SubmitOrder): string | null {
  if (!UUID.test(cmd.orderId)) return `orderId ${shown(cmd.orderId)} is not a UUID`;
  if (!UUID.test(cmd.correlationId)) return `correlationId ${shown(cmd.correlationId)} is not a UUID`;
  const year = new Date(cmd.occurredAt).getUTCFullYear();
  if (!(year >= 1 && year <= 9999)) return `occurredAt ${cmd.occurredAt} is not a time between the years 1 and 9999`;
  const { channel, channelOrderRef, customer } = cmd;
  const nul = nulAt(cmd, '');
  if (nul) return `${nul} contains a NUL character (U+0000), which the order store cannot hold`;
  if (Buffer.byteLength(channel) + Buffer.byteLength(channelOrderRef) > MAX_INDEXED_BYTES) return `channel and channelOrderRef together are longer than ${MAX_INDEXED_BYTES} bytes`;
  if (Buffer.byteLength(customer.customerId) > MAX_INDEXED_BYTES) return `customer.customerId is longer than ${MAX_INDEXED_BYTES} bytes`;
  return null;
}

/** Text the order store can hold: a NUL character (U+0000) becomes U+FFFD, for a refused line stored with its reason. */
export const storableText = (value: string) => value.replace(/\u0000/g, '\uFFFD');

function nulAt(v: unknown, path: string): string | null {
  if (typeof v === 'string') return v.includes('\u0000') ? path : null;
  if (v === null || typeof v !== 'object') return null;
  for (const [k, x] of Object.entries(v)) {
    const found = nulAt(x, Array.isArray(v) ? `${path}[${k}]` : path ? `${path}.${k}` : k);
    if (found) return found;
  }
  return null;
}

export function validateLine(l: OrderLineInput, f: string): RejectionReason[] {
  const out: Reasons = [];
  if (!isValidSku(l.sku)) out.push(reason(`${f}.sku`, 'invalid', `${f}.sku must be 1-64 letters, digits, dot, dash or underscore`));
  text(out, `${f}.name`, l.name);
  if (l.name.includes('\u0000')) out.push(reason(`${f}.name`, 'invalid', `${f}.name contains a NUL character (U+0000), which the order store cannot hold`));
  if (l.quantity < 1 || l.quantity > LIMITS.maxQuantity) out.push(reason(`${f}.quantity`, 'out_of_range', `${f}.quantity must be between 1 and ${LIMITS.maxQuantity}`));
  if (l.unitPriceMinor < 0) out.push(reason(`${f}.unitPriceMinor`, 'negative', `${f}.unitPriceMinor must not be negative`));
  if (l.weightGrams < 0) out.push(reason(`${f}.weightGrams`, 'negative', `${f}.weightGrams must not be negative`));
  if (!Number.isSafeInteger(l.quantity * l.unitPriceMinor)) out.push(reason(`${f}`, 'too_large', `${f} amount is too large`));
  return out;
}
