import type { AddLineItem } from '../../shared/contracts/types.generated';
import { permanent } from '../../shared/errors';
import { isCalledOff, LINE_ADDABLE_STATES } from '../../shared/order-state';
import { ChunkOrderReads } from '../../shared/chunk-order-reads';
import { priceLines } from '../../shared/order-store';
import type { PricingRules } from '../../shared/pricing';
import type { Handler } from '../../shared/runner/handler';
import { storeRepricing } from './order-repository';
import { storableText, validateLine } from './validation';

/**
 * The added line's id, derived from the command so a redelivery names the same line. The whole
 * event id: time-ordered ids (UUIDv7) share their first characters for about a minute, and a
 * shortened id made two lines of one order collide (the second command dead-lettered).
 */
export const addedLineId = (cmd: AddLineItem) => `A-${cmd.eventId}`;

/**
 * Add a line before fulfillment is requested: re-price with it and announce LineItemAdded, which
 * fraud scores, inventory reserves and payment authorizes (the increase only). Otherwise the line
 * is stored refused with its reason, LineItemRefused tells the customer's notification (the order
 * is not re-priced, its version stays; nothing for a cancelled or rejected order), and nothing
 * else changes.
 */
export const addLineItem = (rules: PricingRules): Handler<'io.oms.commands.AddLineItem'> => async (ctx, cmd) => {
  const read = await ChunkOrderReads.of(ctx).lockWithLines(cmd.orderId);
  if (!read) throw permanent('invalid_payload', `AddLineItem for unknown order ${cmd.orderId}`);
  const { order } = read;
  const lineId = addedLineId(cmd);
  const lines = read.lines.filter((l) => l.status !== 'refused');
  const candidate = { line_id: lineId, sku: cmd.line.sku, name: cmd.line.name, quantity: cmd.line.quantity, unit_price_minor: cmd.line.unitPriceMinor, weight_grams: cmd.line.weightGrams, status: 'pending' as const, origin: 'added' as const };
  const priced = priceLines(order, [...lines, candidate], rules);

  const addable = LINE_ADDABLE_STATES.includes(order.state);
  const problems = addable ? [...validateLine(cmd.line, 'line'), ...priced.problems] : [];
  const refusal = !addable
    ? `lines can be added until fulfillment is requested; the order is ${order.state}`
    : problems.map((r) => r.message).join('; ') || null;
  const pricedLine = priced.lines.find((l) => l.lineId === lineId)!;
  await ctx.trx('order_lines').insert({
    order_id: cmd.orderId, line_id: lineId, sku: storableText(cmd.line.sku), name: storableText(cmd.line.name), quantity: cmd.line.quantity,
    unit_price_minor: cmd.line.unitPriceMinor, discount_minor: refusal ? 0 : pricedLine.discountMinor,
    line_total_minor: refusal ? 0 : pricedLine.lineTotalMinor, weight_grams: cmd.line.weightGrams,
    status: refusal ? 'refused' : 'pending', refused_reason: refusal, refused_problems: problems.length > 0 ? JSON.stringify(problems) : null, origin: 'added',
    // the total its LineItemAdded announces: fraud scores the line on it, whenever it gets to it
    order_total_minor: refusal ? null : priced.breakdown.totalMinor,
  });
  if (refusal) {
    ctx.log.info({ lineId, refusal }, 'line refused');
    // an ended order tells nothing more: its customer was told it was cancelled or rejected
    if (isCalledOff(order.state)) return;
    await ctx.emit('io.oms.orders.LineItemRefused', {
      lineId, sku: storableText(cmd.line.sku), reasonCode: addable ? 'invalid_line' : 'not_addable', reason: refusal,
      totalMinor: order.total_minor, currency: order.currency, orderVersion: order.version, problems,
    });
    return;
  }

  const version = order.version + 1;
  await storeRepricing(ctx.trx, cmd.orderId, version, priced);
  await ctx.emit('io.oms.orders.LineItemAdded', { line: pricedLine, currency: order.currency, pricing: priced.breakdown, orderVersion: version });
  ctx.log.info({ lineId, totalMinor: priced.breakdown.totalMinor }, 'line added');
};
