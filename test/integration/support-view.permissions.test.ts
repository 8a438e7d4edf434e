import { createDb } from '../../shared/db/knex';
import { SUPPORT_ROLE } from '../../shared/db/migrations/003_support_view';
import { aSubmitOrder } from '../support/orders';
import { TEST_DATABASE_URL } from '../support/env';
import { SagaDriver } from '../support/saga';
import { TestStack } from '../support/stack';

describe('the support SQL view and its read-only role', () => {
  const stack = new TestStack();
  const saga = new SagaDriver(stack);
  const asSupport = createDb({ DATABASE_URL: TEST_DATABASE_URL.replace('//postgres@', `//${SUPPORT_ROLE}@`), DATABASE_POOL_MAX: 1 });

  beforeAll(async () => {
    await stack.provision();
    await stack.startService(stack.service('intake'));
  }, 120000);
  afterAll(async () => {
    await asSupport.destroy();
    await stack.close();
  });

  it('when support reads the view, then it sees state and money but no contact data; every other table and every write is refused', async () => {
    const cmd = aSubmitOrder();
    await stack.publish('io.oms.commands.SubmitOrder', cmd);
    await saga.waitForState(cmd.orderId, 'Pending');

    const row = await asSupport('support_order_status').where({ order_id: cmd.orderId }).first();
    expect(row).toMatchObject({ state: 'Pending', last_transition_to: 'Pending', last_transition_cause: 'SubmitOrder', currency: 'USD' });
    expect(JSON.stringify(row)).not.toContain(cmd.customer.email);
    expect(await asSupport('order_status_history').where({ order_id: cmd.orderId })).toHaveLength(1);

    await expect(asSupport('orders').first()).rejects.toThrow(/permission denied for table orders/);
    await expect(asSupport('payments').first()).rejects.toThrow(/permission denied/);
    await expect(asSupport('order_status_history').insert({ order_id: cmd.orderId, to_state: 'Delivered', cause_event_id: 'x', cause_type: 'x', order_version: 9 })).rejects.toThrow(/permission denied/);
  });
});
