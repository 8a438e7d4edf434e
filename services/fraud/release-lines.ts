import type { HandlerContext } from '../../shared/runner/handler';
import { LINE_ORDER_COLUMNS, lineFacts, lineOutcome, type LineOrderRow, STORED_DECISION, totalAtLine } from './line-checks';
import { assessOrder, type FraudRules } from './rules';

type PendingLineRow = LineOrderRow & { line_id: string; decision: string | null; order_total_minor: string | null; total_minor: string };

/**
 * The lines added to an order on hold, at its release (the order already moved to Processing and
 * marked released in this transaction). A line that waited for the release (a review while held)
 * is cleared. A line fraud has not scored yet (its LineItemAdded still on its way, or passed over)
 * is scored now, each on the total it was added at (totalAtLine), as it would have been on arrival: a fail
 * refuses that line (FraudCheckFailed, intake refuses it); otherwise it is cleared. Inventory
 * reserves the cleared lines with the placed ones when the order's pass reaches it, and fraud does
 * not score a line again once it has an outcome.
 */
export async function settleLinesAtRelease(ctx: HandlerContext, orderId: string, rules: FraudRules, releasedBy: string[], orderVersion: number): Promise<void> {
  const { rows } = (await ctx.trx.raw(
    `SELECT l.line_id, f.decision, l.order_total_minor, o.total_minor, ${LINE_ORDER_COLUMNS}
       FROM order_lines l JOIN orders o ON o.order_id = l.order_id
       LEFT JOIN fraud_checks c ON c.order_id = l.order_id
       LEFT JOIN fraud_line_checks f ON f.order_id = l.order_id AND f.line_id = l.line_id
      WHERE l.order_id = ? AND l.origin = 'added' AND l.status = 'pending'
      ORDER BY l.added_at, l.line_id`,
    [orderId],
  )) as { rows: PendingLineRow[] };
  if (rows.length === 0) return;
  if (rows.some((r) => r.decision === 'review')) {
    await ctx.trx.raw(`UPDATE fraud_line_checks SET decision = 'released', reasons = reasons || ?::jsonb WHERE order_id = ? AND decision = 'review'`, [JSON.stringify(releasedBy), orderId]);
  }
  const unscored = rows.filter((r) => r.decision === null);
  if (unscored.length === 0) return;
  const at = Date.now();
  const scored = unscored.map((line) => {
    const assessment = assessOrder(lineFacts(line, totalAtLine(line, line.total_minor), at), rules);
    const outcome = lineOutcome(assessment.decision, { state: 'Processing', released: line.released });
    return { line, assessment, outcome, reasons: outcome === 'failed' ? assessment.reasons : [...assessment.reasons, ...releasedBy] };
  });
  await ctx.trx('fraud_line_checks')
    .insert(scored.map(({ line, assessment, outcome, reasons }) => ({ order_id: orderId, line_id: line.line_id, score: assessment.score, decision: STORED_DECISION[outcome], reasons: JSON.stringify(reasons) })))
    .onConflict(['order_id', 'line_id'])
    .ignore();
  for (const { line, assessment: { score }, outcome, reasons } of scored) {
    ctx.log.info({ lineId: line.line_id, outcome, score }, 'line not yet scored, settled with the release');
    if (outcome === 'failed') await ctx.emit('io.oms.fraud.FraudCheckFailed', { score, reasons, forLineId: line.line_id, orderVersion });
  }
}
