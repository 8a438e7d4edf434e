import type { Knex } from 'knex';
import type { OrderPlaced } from '../../shared/contracts/types.generated';
import { prepared } from '../../shared/db/knex';
import { ChunkOrderReads } from '../../shared/chunk-order-reads';
import type { Handler } from '../../shared/runner/handler';
import { assessOrder, FraudRules } from './rules';

const KINDS = ['customer', 'email', 'payment_token'] as const;

/** Records this order in the velocity window and counts the window's orders per key. */
async function velocity(trx: Knex.Transaction, e: OrderPlaced, windowMinutes: number) {
  const values = { customer: e.customer.customerId, email: e.customer.email.toLowerCase(), payment_token: e.payment.token };
  const at = new Date(e.occurredAt);
  await prepared('fraud_velocity_insert', trx('fraud_velocity')
    .insert(KINDS.map((kind) => ({ kind, value: values[kind], order_id: e.orderId, at })))
    .onConflict(['kind', 'value', 'order_id'])
    .ignore());
  const since = new Date(e.occurredAt - windowMinutes * 60_000);
  const rows = (await prepared('fraud_velocity_count', trx('fraud_velocity')
    .whereIn(['kind', 'value'], KINDS.map((kind) => [kind, values[kind]]))
    .where('at', '>', since)
    .where('at', '<=', at)
    .groupBy('kind')
    .select('kind')
    .count({ n: '*' }))) as { kind: (typeof KINDS)[number]; n: string }[];
  const count = (kind: (typeof KINDS)[number]) => Number(rows.find((r) => r.kind === kind)?.n ?? 0);
  return { customer: count('customer'), email: count('email'), paymentToken: count('payment_token') };
}

/** Fraud gate, before any stock is held: Passed → Processing, Review → On_Hold, Failed → cancelled by intake. */
export const checkOrder = (rules: FraudRules): Handler<'io.oms.orders.OrderPlaced'> => async (ctx, e) => {
  const order = await ChunkOrderReads.of(ctx).lock(e.orderId);
  if (!order || order.state !== 'Pending') return ctx.log.info({ state: order?.state }, 'order no longer pending; fraud check skipped');

  const assessment = assessOrder(
    {
      totalMinor: e.pricing.totalMinor,
      currency: e.currency,
      email: e.customer.email,
      shippingCountry: e.shippingAddress.country,
      billingCountry: e.payment.billingCountry ?? e.billingAddress?.country ?? null,
      accountCreatedAt: e.customer.accountCreatedAt,
      placedAt: e.occurredAt,
      recentOrders: await velocity(ctx.trx, e, rules.velocity.windowMinutes),
    },
    rules,
  );
  const { decision, score, reasons } = assessment;
  await prepared('fraud_check_insert', ctx.trx('fraud_checks').insert({ order_id: e.orderId, score, decision, reasons: JSON.stringify(reasons) }).onConflict('order_id').ignore());
  ctx.log.info({ decision, score, reasons }, 'fraud assessed');

  if (decision === 'failed') return ctx.emit('io.oms.fraud.FraudCheckFailed', { score, reasons, orderVersion: order.version });
  const result = await ctx.transition(e.orderId, decision === 'passed' ? 'Processing' : 'On_Hold', { reason: decision === 'review' ? `fraud review: ${reasons.join(', ')}` : undefined });
  if (!result.applied) return;
  if (decision === 'passed') await ctx.emit('io.oms.fraud.FraudCheckPassed', { score, reasons, orderVersion: result.version });
  else await ctx.emit('io.oms.fraud.FraudReviewRequired', { score, reasons, orderVersion: result.version });
};

/** An operator releases a held order: On_Hold → Processing, and the gate opens (FraudCheckPassed). */
export const releaseHold: Handler<'io.oms.commands.ReleaseOrderHold'> = async (ctx, cmd) => {
  const result = await ctx.transition(cmd.orderId, 'Processing', { onlyFrom: ['On_Hold'], reason: `released by ${cmd.operator}${cmd.note ? `: ${cmd.note}` : ''}` });
  if (!result.applied) return ctx.log.info({ reason: result.reason }, 'release refused');
  await ctx.trx('fraud_checks').where({ order_id: cmd.orderId }).update({ decision: 'released' });
  const check = await ctx.trx('fraud_checks').where({ order_id: cmd.orderId }).first();
  await ctx.emit('io.oms.fraud.FraudCheckPassed', { score: check?.score ?? 0, reasons: [`released_by:${cmd.operator}`], orderVersion: result.version });
};
