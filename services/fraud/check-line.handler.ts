import { ChunkOrderReads } from '../../shared/chunk-order-reads';
import type { Handler, HandlerContext } from '../../shared/runner/handler';
import { FraudBatch, type LineCheck } from './fraud-batch';
import type { FraudRules } from './rules';

/**
 * The gate for an added line: the order as it stands with the line, scored by the same rules,
 * before inventory holds any of the line's stock (lineOutcome):
 * - passed, or a review on an order an operator released → FraudCheckPassed: inventory reserves it;
 * - failed → FraudCheckFailed: intake refuses the line;
 * - a review on an order past the gate → FraudReviewRequired: intake refuses the line, since the
 *   order cannot wait for an operator;
 * - a review on an order on hold → nothing yet: the line waits for the release with the order.
 * A pass that reaches inventory before the order's own (or while the order is held) is not lost:
 * the order's pass reserves the lines fraud has cleared (fraud_line_checks). A line that reaches
 * fraud before its order's OrderPlaced (that one dead-lettered, then replayed) is scored with the
 * order's check (FraudBatch).
 */
export const checkAddedLine = (rules: FraudRules): Handler<'io.oms.orders.LineItemAdded'> => async (ctx, e) => {
  await ChunkOrderReads.of(ctx).holdLocks(e.orderId); // the state read at the chunk's end stays as read: intake's refusals and cancellations wait
  FraudBatch.of(ctx, rules).queueLine(e, (check) => announceLineCheck(ctx, e.line.lineId, check));
};

/** What fraud says of an added line's check, on `oms.fraud` with the line's id. */
export async function announceLineCheck(ctx: HandlerContext, forLineId: string, check: LineCheck): Promise<void> {
  if (!check.scored) return ctx.log.info({ lineId: forLineId, why: check.why }, 'added line not scored');
  const { assessment: { decision, score, reasons }, outcome, orderVersion } = check;
  ctx.log.info({ lineId: forLineId, decision, outcome, score, reasons }, 'added line assessed');
  const verdict = { score, reasons, forLineId, orderVersion };
  switch (outcome) {
    case 'passed':
    case 'released':
      return ctx.emit('io.oms.fraud.FraudCheckPassed', verdict);
    case 'failed':
      return ctx.emit('io.oms.fraud.FraudCheckFailed', verdict);
    case 'refused_for_review':
      return ctx.emit('io.oms.fraud.FraudReviewRequired', verdict);
    case 'waits_for_release':
      return ctx.log.info({ lineId: forLineId }, 'added line waits for the release of the order on hold');
  }
}
