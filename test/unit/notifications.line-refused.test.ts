import { onLineItemRefused } from '../../services/notifications/handlers';
import { newEnvelope } from '../../shared/contracts/envelope';
import type { LineItemRefused } from '../../shared/contracts/types.generated';
import type { ChunkFlush, HandlerContext } from '../../shared/runner/handler';

/** What a refused line's notification is queued with: the customer's words, and a SKU only if it is one. */
describe('notifications: a refused added line', () => {
  async function queuedFor(e: LineItemRefused) {
    const scoped = new Map<string, ChunkFlush>();
    const ctx = {
      trx: null,
      chunkScoped: <T extends ChunkFlush>(key: string, create: () => T): T => (scoped.get(key) ?? scoped.set(key, create()).get(key)) as T,
    } as unknown as HandlerContext;
    await onLineItemRefused(10)(ctx, e);
    return (scoped.get('notifications.batch') as unknown as { queued: { kind: string; about: string; facts: object }[] }).queued;
  }
  const refused = (sku: string, reasonCode: string): LineItemRefused => {
    const orderId = '6f1c2b9e-0d5a-4c1e-9b7a-2f3d4e5f6a7b';
    return { ...newEnvelope('intake', orderId), orderId, orderVersion: 3, lineId: 'A-1', sku, reasonCode, reason: 'internal detail: fraud score 100', totalMinor: 5000, currency: 'USD', problems: [] };
  };

  it.each([
    ['SKU-TEA', 'fraud_rejected', 'SKU-TEA', 'the store could not accept it'],
    ['SKU-TEA', 'out_of_stock', 'SKU-TEA', 'it is out of stock'],
    ['SKU\uFFFDTEA', 'invalid_line', 'an item', 'the item could not be added as sent'],
    ['', 'not_addable', 'an item', 'your order can no longer be changed'],
    ['<a href="x">', 'invalid_line', 'an item', 'the item could not be added as sent'],
  ])('when the line %j is refused with %s, then the customer reads %j and %j, one notice for the line', async (sku, reasonCode, item, reason) => {
    expect(await queuedFor(refused(sku, reasonCode))).toEqual([expect.objectContaining({ kind: 'LINE_REFUSED', about: 'A-1', limitPerOrder: 10, facts: { item, reason } })]);
  });
});
