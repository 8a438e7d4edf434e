import type { HandlerContext } from '../../shared/runner/handler';
import { LINE_ORDER_COLUMNS, lineFacts, lineOutcome, type LineOrderRow, STORED_DECISION } from './line-checks';
import { assessOrder, type FraudRules } from './rules';

type PendingLineRow = LineOrderRow & { line_id: string; decision: string | null; total_minor: number };

/**
 * The lines added to an order on hold, at its release (the order already moved to Processing and
 * marked released in this transaction). A line that waited for the release (a review while held)
 * is cleared. A line fraud has not scored yet (its LineItemAdded still on its way, or added before
 * lines were scored) is scored now, all such lines together on the order's total as it stands: a
 * fail refuses them (FraudCheckFailed each, intake refuses the line); otherwise they are cleared.
 * Inventory reserves the cleared lines with the placed ones when the order's pass reaches it, and
 * fraud does not score a line again once it has an outcome.
 */
export async function settleLinesAtRelease(ctx: HandlerContext, orderId: string, rules: FraudRules, releasedBy: string[], orderVersion: number): Promise<void> {
  const { rows } = (await ctx.trx.raw(
    `SELECT l.line_id, f.decision, o.total_minor, ${LINE_ORDER_COLUMNS}
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
  const order = unscored[0]!;
  const assessment = assessOrder(lineFacts(order, Number(order.total_minor), Date.now()), rules);
  const outcome = lineOutcome(assessment.decision, { state: 'Processing', released: order.released });
  const reasons = outcome === 'failed' ? assessment.reasons : [...assessment.reasons, ...releasedBy];
  await ctx.trx('fraud_line_checks')
    .insert(unscored.map((r) => ({ order_id: orderId, line_id: r.line_id, score: assessment.score, decision: STORED_DECISION[outcome], reasons: JSON.stringify(reasons) })))
    .onConflict(['order_id', 'line_id'])
    .ignore();
  ctx.log.info({ lines: unscored.map((r) => r.line_id), outcome, score: assessment.score }, 'lines not yet scored, settled with the release');
  if (outcome !== 'failed') return;
  for (const r of unscored) await ctx.emit('io.oms.fraud.FraudCheckFailed', { score: assessment.score, reasons, forLineId: r.line_id, orderVersion });
}
