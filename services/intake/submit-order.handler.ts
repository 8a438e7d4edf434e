import type { SubmitOrder } from '../../shared/contracts/types.generated';
import { getTotalPrice, PricingRules } from '../../shared/pricing';
import { type Handler, refusingUnfit } from '../../shared/runner/handler';
import { PlacementBatch } from './placement-batch';
import { unstorable, validateSubmitOrder } from './validation';
import { extend } from '../../shared/extend';

/**
 * Intake: validate, price, store Pending and announce OrderPlaced — or store Rejected with reasons
 * (stored with the chunk's other new orders). A command the store cannot hold even as Rejected
 * (`unstorable`) is dead-lettered by the runner as it is decoded, and never reaches this handler.
 */
export const submitOrder = (rules: PricingRules): Handler<'io.oms.commands.SubmitOrder'> => refusingUnfit(unstorable, async (ctx, cmd: SubmitOrder) => {
  const cause = { eventId: cmd.eventId, type: 'SubmitOrder' };

  let reasons = validateSubmitOrder(cmd);
  const priced =
    reasons.length === 0
      ? getTotalPrice(
          {
            currency: cmd.currency,
            shippingMethod: cmd.shippingMethod,
            destination: { country: cmd.shippingAddress.country, region: cmd.shippingAddress.region },
            promotionCodes: cmd.promotionCodes,
            lines: cmd.lines.map((l, i) => extend(l, { lineId: `L${i + 1}` })),
          },
          rules,
        )
      : null;
  if (priced) reasons = priced.problems;

  if (!priced || reasons.length > 0) {
    return PlacementBatch.of(ctx).queue({ cmd, state: 'Rejected', priced: null, rejectionReasons: reasons, cause, then: async (created) => {
      if (!created) return ctx.log.warn('repeated submission of a rejected order ignored');
      ctx.log.info({ reasons: reasons.map((r) => r.code) }, 'order rejected');
      await ctx.emit('io.oms.orders.OrderRejected', { channel: cmd.channel, channelOrderRef: cmd.channelOrderRef, customer: cmd.customer, reasons, orderVersion: 1 });
    } });
  }

  PlacementBatch.of(ctx).queue({ cmd, state: 'Pending', priced, rejectionReasons: null, cause, then: async (created) => {
    if (!created) return ctx.log.info('repeated submission ignored (same order id or channel order reference)');
    await ctx.emit('io.oms.orders.OrderPlaced', {
      channel: cmd.channel,
      channelOrderRef: cmd.channelOrderRef,
      customer: cmd.customer,
      shippingAddress: cmd.shippingAddress,
      billingAddress: cmd.billingAddress,
      lines: priced.lines,
      currency: cmd.currency,
      shippingMethod: cmd.shippingMethod,
      pricing: priced.breakdown,
      payment: cmd.payment,
      deliveryPreferences: cmd.deliveryPreferences,
      orderVersion: 1,
    });
    ctx.log.info({ totalMinor: priced.breakdown.totalMinor }, 'order placed');
  } });
});
