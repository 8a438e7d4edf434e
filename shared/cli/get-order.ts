/** `npm run get-order -- <orderId>`: prints the order and its history as JSON. */
import { createPlatform, runMain } from '../bootstrap';
import { getOrder } from '../read/order-view';

runMain(async () => {
  const orderId = process.argv[2];
  if (!orderId) throw new Error('usage: npm run get-order -- <orderId>');
  const p = createPlatform('get-order', { LOG_LEVEL: 'warn', ...process.env });
  try {
    const order = await getOrder(p.db, orderId);
    if (!order) {
      console.error(`order ${orderId} not found`);
      process.exitCode = 2;
    } else console.log(JSON.stringify(order, null, 2));
  } finally {
    await p.db.destroy();
  }
});
