import { ChunkOrderReads } from '../../shared/chunk-order-reads';
import type { Handler } from '../../shared/runner/handler';
import { FraudBatch } from './fraud-batch';
import type { FraudRules } from './rules';

/** Fraud gate, before any stock is held: Passed → Processing, Review → On_Hold, Failed → cancelled by intake. */
export const checkOrder = (rules: FraudRules): Handler<'io.oms.orders.OrderPlaced'> => async (ctx, e) => {
  const order = await ChunkOrderReads.of(ctx).lock(e.orderId);
  if (!order || order.state !== 'Pending') return ctx.log.info({ state: order?.state }, 'order no longer pending; fraud check skipped');

  // assessed and moved with the chunk's other orders: the velocity window is recorded and counted for all at once
  const queued = FraudBatch.of(ctx, rules).queue(ctx, e, async ({ decision, score, reasons }, moved) => {
    ctx.log.info({ decision, score, reasons }, 'fraud assessed');
    if (decision === 'failed') return ctx.emit('io.oms.fraud.FraudCheckFailed', { score, reasons, forLineId: null, orderVersion: order.version });
    if (!moved?.applied) return;
    if (decision === 'passed') await ctx.emit('io.oms.fraud.FraudCheckPassed', { score, reasons, forLineId: null, orderVersion: moved.version });
    else await ctx.emit('io.oms.fraud.FraudReviewRequired', { score, reasons, forLineId: null, orderVersion: moved.version });
  });
  if (!queued) ctx.log.info('order already assessed in this chunk; repeated OrderPlaced skipped');
};

/**
 * An operator releases a held order: On_Hold → Processing, and the gate opens (FraudCheckPassed),
 * then for each line added while it was held and not failed: the operator released the order as
 * it stands. Inventory skipped a line's pass while the order was held; it reserves the line now.
 */
export const releaseHold: Handler<'io.oms.commands.ReleaseOrderHold'> = async (ctx, cmd) => {
  const result = await ctx.transition(cmd.orderId, 'Processing', { onlyFrom: ['On_Hold'], reason: `released by ${cmd.operator}${cmd.note ? `: ${cmd.note}` : ''}` });
  if (!result.applied) return ctx.log.info({ reason: result.reason }, 'release refused');
  const released = [`released_by:${cmd.operator}`];
  await ctx.trx('fraud_checks').where({ order_id: cmd.orderId }).update({ decision: 'released' });
  const check = await ctx.trx('fraud_checks').where({ order_id: cmd.orderId }).first();
  await ctx.emit('io.oms.fraud.FraudCheckPassed', { score: check?.score ?? 0, reasons: released, forLineId: null, orderVersion: result.version });
  const lines: { line_id: string; score: number; decision: string; reasons: string[] }[] = await ctx.trx('fraud_line_checks')
    .where({ order_id: cmd.orderId }).whereIn('decision', ['passed', 'review']).orderBy(['at', 'line_id']);
  await ctx.trx('fraud_line_checks').where({ order_id: cmd.orderId, decision: 'review' }).update({ decision: 'released' });
  for (const line of lines) {
    await ctx.emit('io.oms.fraud.FraudCheckPassed', { score: line.score, reasons: line.decision === 'review' ? released : line.reasons, forLineId: line.line_id, orderVersion: result.version });
  }
};
