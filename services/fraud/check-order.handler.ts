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
 * An operator releases a held order: On_Hold → Processing, and the gate opens (FraudCheckPassed).
 * The operator released the order as it stands: every line added to it by then and not failed is
 * cleared with it (decision `released`; a line fraud has not scored yet included), and inventory
 * reserves those with the placed lines when the order's pass reaches it.
 */
export const releaseHold: Handler<'io.oms.commands.ReleaseOrderHold'> = async (ctx, cmd) => {
  const result = await ctx.transition(cmd.orderId, 'Processing', { onlyFrom: ['On_Hold'], reason: `released by ${cmd.operator}${cmd.note ? `: ${cmd.note}` : ''}` });
  if (!result.applied) return ctx.log.info({ reason: result.reason }, 'release refused');
  const reasons = [`released_by:${cmd.operator}`];
  await ctx.trx('fraud_checks').where({ order_id: cmd.orderId }).update({ decision: 'released' });
  await ctx.trx.raw(
    `INSERT INTO fraud_line_checks (order_id, line_id, score, decision, reasons)
     SELECT order_id, line_id, 0, 'released', ?::jsonb FROM order_lines WHERE order_id = ? AND origin = 'added' AND status = 'pending'
     ON CONFLICT (order_id, line_id) DO UPDATE SET decision = 'released', reasons = fraud_line_checks.reasons || EXCLUDED.reasons WHERE fraud_line_checks.decision = 'review'`,
    [JSON.stringify(reasons), cmd.orderId],
  );
  const check = await ctx.trx('fraud_checks').where({ order_id: cmd.orderId }).first();
  await ctx.emit('io.oms.fraud.FraudCheckPassed', { score: check?.score ?? 0, reasons, forLineId: null, orderVersion: result.version });
};
