import { createServer, IncomingMessage, Server } from 'http';
import { AddressInfo } from 'net';
import { OmsError } from '../../shared/errors';
import { HttpGateway } from '../../services/payment/gateway';

/** A stand-in payment provider on loopback: the test decides each answer. */
describe('HTTP payment gateway adapter', () => {
  let server: Server;
  let base: string;
  const seen: { path: string; key: string | undefined; auth: string | undefined; body: unknown }[] = [];
  let answer: (req: IncomingMessage) => { status: number; body: object; delayMs?: number } = () => ({ status: 200, body: { transactionId: 'tx-1' } });

  beforeAll(async () => {
    server = createServer((req, res) => {
      let raw = '';
      req.on('data', (c) => (raw += c));
      req.on('end', () => {
        seen.push({ path: req.url!, key: req.headers['idempotency-key'] as string, auth: req.headers.authorization, body: JSON.parse(raw) });
        const a = answer(req);
        setTimeout(() => res.writeHead(a.status, { 'Content-Type': 'application/json' }).end(JSON.stringify(a.body)), a.delayMs ?? 0);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  });
  afterAll(() => new Promise((r) => server.close(r)));

  const gateway = () => new HttpGateway(base, 'sk_test_123', 300);
  const auth = { idempotencyKey: 'authorize:e1', amountMinor: 1234, currency: 'USD', method: 'card', token: 'tok_x' };

  it('sends the idempotency key and bearer key, and maps 2xx to approved', async () => {
    answer = () => ({ status: 201, body: { transactionId: 'auth_77' } });
    await expect(gateway().authorize(auth)).resolves.toEqual({ status: 'approved', transactionId: 'auth_77' });
    expect(seen.at(-1)).toEqual({ path: '/v1/authorizations', key: 'authorize:e1', auth: 'Bearer sk_test_123', body: { amountMinor: 1234, currency: 'USD', method: 'card', token: 'tok_x' } });
  });

  it('maps 402 to a decline with the provider reason', async () => {
    answer = () => ({ status: 402, body: { reasonCode: 'insufficient_funds', message: 'not enough' } });
    await expect(gateway().authorize(auth)).resolves.toEqual({ status: 'declined', reasonCode: 'insufficient_funds', message: 'not enough' });
  });

  it.each([
    ['a timeout', () => ({ status: 200, body: { transactionId: 'late' }, delayMs: 1000 })],
    ['a 503', () => ({ status: 503, body: {} })],
    ['a 429', () => ({ status: 429, body: {} })],
    ['a 408', () => ({ status: 408, body: {} })],
    ['a 409 (the same idempotency key still in flight)', () => ({ status: 409, body: {} })],
    ['a 401 (a wrong key: an operator fixes it, no order is declined for it)', () => ({ status: 401, body: {} })],
  ])('turns %s into a retriable gateway_timeout', async (_what, a) => {
    answer = a;
    const err = await gateway().capture({ idempotencyKey: 'capture:p1', transactionId: 'auth_77', amountMinor: 1234, currency: 'USD' }).catch((e) => e);
    expect(err).toBeInstanceOf(OmsError);
    expect(err).toMatchObject({ code: 'gateway_timeout', retriable: true });
  });

  it.each([400, 404, 410])('maps a %i (a request the gateway will never take) to a decline naming the status, not a retry for ever', async (status) => {
    answer = () => ({ status, body: { message: 'no such transaction' } });
    await expect(gateway().void({ idempotencyKey: 'void:p1', transactionId: 'auth_77', amountMinor: 1234, currency: 'USD' }))
      .resolves.toEqual({ status: 'declined', reasonCode: `gateway_refused_${status}`, message: 'no such transaction' });
  });
});
