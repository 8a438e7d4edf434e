import { ChunkOrderReads } from '../../shared/chunk-order-reads';
import type { Handler } from '../../shared/runner/handler';
import { FraudBatch } from './fraud-batch';
import type { FraudRules } from './rules';

/**
 * The gate for an added line: the order as it stands with the line, scored by the same rules,
 * before inventory holds any of the line's stock. Passed → inventory reserves it (once the order
 * itself is Processing); failed → intake refuses the line; a review → intake refuses the line too,
 * since an order past the gate cannot wait for one, except on an order on hold, where the line
 * waits for the operator's release with the order. A pass that reaches inventory before the
 * order's own (or while the order is held) is not lost: the order's pass reserves the lines fraud
 * has cleared (fraud_line_checks).
 */
export const checkAddedLine = (rules: FraudRules): Handler<'io.oms.orders.LineItemAdded'> => async (ctx, e) => {
  await ChunkOrderReads.of(ctx).lock(e.orderId); // the state read at the chunk's end stays as read: intake's refusals and cancellations wait
  const forLineId = e.line.lineId;
  FraudBatch.of(ctx, rules).queueLine(e, async (check) => {
    if (!check.scored) return ctx.log.info({ lineId: forLineId, why: check.why }, 'added line not scored');
    const { assessment: { decision, score, reasons }, orderState, orderVersion } = check;
    ctx.log.info({ lineId: forLineId, decision, score, reasons }, 'added line assessed');
    const verdict = { score, reasons, forLineId, orderVersion };
    if (decision === 'passed') return ctx.emit('io.oms.fraud.FraudCheckPassed', verdict);
    if (decision === 'failed') return ctx.emit('io.oms.fraud.FraudCheckFailed', verdict);
    if (orderState === 'On_Hold') return ctx.log.info({ lineId: forLineId }, 'added line waits for the release of the order on hold');
    await ctx.emit('io.oms.fraud.FraudReviewRequired', verdict);
  });
};
