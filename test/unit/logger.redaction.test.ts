import { Writable } from 'stream';
import { createLogger, lazyChild } from '../../shared/logger';
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

  it('a lazy child is made only when it logs at an enabled level, then carries its bindings, redacted like any other', () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
    const parent = createLogger('test', 'warn', sink);
    const made = jest.spyOn(parent, 'child');
    const log = lazyChild(parent, { orderId: 'o-1', email: 'secret.person@example.com' });

    log.info({ step: 'quiet' }, 'below the level');
    log.debug('below the level too');
    expect(made).not.toHaveBeenCalled();
    expect(lines).toEqual([]);

    log.warn({ step: 'loud' }, 'at the level');
    log.error('and above');
    expect(made).toHaveBeenCalledTimes(1);
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[0]!)).toMatchObject({ orderId: 'o-1', email: '[redacted]', step: 'loud', msg: 'at the level' });
    expect(lines.join('')).not.toContain('secret.person@example.com');
  });
});
