import { ChunkOrderReads } from '../../shared/chunk-order-reads';
import type { Handler } from '../../shared/runner/handler';
import { announceLineCheck } from './check-line.handler';
import { FraudBatch } from './fraud-batch';
import { settleLinesAtRelease } from './release-lines';
import type { FraudRules } from './rules';

/** Fraud gate, before any stock is held: Passed → Processing, Review → On_Hold, Failed → cancelled by intake. */
export const checkOrder = (rules: FraudRules): Handler<'io.oms.orders.OrderPlaced'> => async (ctx, e) => {
  const order = await ChunkOrderReads.of(ctx).lock(e.orderId);
  if (!order || order.state !== 'Pending') return ctx.log.info({ state: order?.state }, 'order no longer pending; fraud check skipped');

  // assessed and moved with the chunk's other orders: the velocity window is recorded and counted for all at once
  const queued = FraudBatch.of(ctx, rules).queue(ctx, e, order, async ({ decision, score, reasons }, moved, linesAddedBefore) => {
    ctx.log.info({ decision, score, reasons }, 'fraud assessed');
    if (decision === 'failed') return ctx.emit('io.oms.fraud.FraudCheckFailed', { score, reasons, forLineId: null, orderVersion: order.version });
    if (!moved?.applied) return;
    if (decision === 'passed') await ctx.emit('io.oms.fraud.FraudCheckPassed', { score, reasons, forLineId: null, orderVersion: moved.version });
    else await ctx.emit('io.oms.fraud.FraudReviewRequired', { score, reasons, forLineId: null, orderVersion: moved.version });
    for (const { lineId, check } of linesAddedBefore) await announceLineCheck(ctx, lineId, check);
  });
  if (!queued) ctx.log.info('order already assessed in this chunk; repeated OrderPlaced skipped');
};

/**
 * An operator releases a held order: On_Hold → Processing, and the gate opens (FraudCheckPassed);
 * then the lines added to it while it was held are settled (settleLinesAtRelease).
 */
export const releaseHold = (rules: FraudRules): Handler<'io.oms.commands.ReleaseOrderHold'> => async (ctx, cmd) => {
  const result = await ctx.transition(cmd.orderId, 'Processing', { onlyFrom: ['On_Hold'], reason: `released by ${cmd.operator}${cmd.note ? `: ${cmd.note}` : ''}` });
  if (!result.applied) return ctx.log.info({ reason: result.reason }, 'release refused');
  const reasons = [`released_by:${cmd.operator}`];
  await ctx.trx('fraud_checks').where({ order_id: cmd.orderId }).update({ decision: 'released' });
  const check = await ctx.trx('fraud_checks').where({ order_id: cmd.orderId }).first();
  await ctx.emit('io.oms.fraud.FraudCheckPassed', { score: check?.score ?? 0, reasons, forLineId: null, orderVersion: result.version });
  await settleLinesAtRelease(ctx, cmd.orderId, rules, reasons, result.version);
};
