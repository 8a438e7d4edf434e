import { Writable } from 'stream';
import { createLogger } from '../../shared/logger';
import { aSubmitOrder } from '../support/orders';

describe('log redaction', () => {
  it('when an order, an address, a notification or a token is logged, then no contact data or secret reaches the log, but error types do', () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
    const log = createLogger('test', 'info', sink);
    const cmd = aSubmitOrder({ customer: { ...aSubmitOrder().customer, email: 'secret.person@example.com', phone: '+14155550199' } });
    log.info({ customer: cmd.customer, shippingAddress: cmd.shippingAddress, payment: cmd.payment }, 'order');
    log.info({ order: { customer: cmd.customer, shippingAddress: cmd.shippingAddress } }, 'nested');
    log.info({ recipient: '+14155550199', token: 'tok_live_1' }, 'notification');
    log.warn({ err: new TypeError('boom') }, 'failure');
    const text = lines.join('');
    for (const secret of ['secret.person@example.com', '+14155550199', '1 Analytical Way', '94105', cmd.payment.token, 'tok_live_1', 'Ada Lovelace']) expect(text).not.toContain(secret);
    expect(text).toContain('[redacted]');
    expect(text).toContain('"type":"TypeError"');
  });
});
