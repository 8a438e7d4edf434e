import { SimulatedGateway } from '../../services/payment/gateway';

describe('simulated gateway: tok_limit_<minor>, a card with a credit limit', () => {
  const authorize = (g: SimulatedGateway, amountMinor: number, idempotencyKey: string, token = 'tok_limit_7000') =>
    g.authorize({ idempotencyKey, amountMinor, currency: 'USD', method: 'card', token });

  it('when authorizations stay within the limit, then they are approved; the one that would pass it is declined', async () => {
    const g = new SimulatedGateway();
    expect(await authorize(g, 6495, 'a')).toMatchObject({ status: 'approved' });
    expect(await authorize(g, 4330, 'b')).toEqual({ status: 'declined', reasonCode: 'credit_limit_exceeded', message: "the card's limit of 7000 minor units would be exceeded" });
    expect(await authorize(g, 505, 'c')).toMatchObject({ status: 'approved' });
    expect(await authorize(g, 1, 'd')).toMatchObject({ status: 'declined' });
  });

  it('when a request is repeated with its idempotency key, then it gets the same answer and takes nothing more from the limit', async () => {
    const g = new SimulatedGateway();
    const first = await authorize(g, 4000, 'same');
    expect(await authorize(g, 4000, 'same')).toEqual(first);
    expect(await authorize(g, 3000, 'other')).toMatchObject({ status: 'approved' });
  });

  it('when two cards have limits, then each keeps its own sum', async () => {
    const g = new SimulatedGateway();
    expect(await authorize(g, 7000, 'x', 'tok_limit_7000')).toMatchObject({ status: 'approved' });
    expect(await authorize(g, 7000, 'y', 'tok_limit_8000')).toMatchObject({ status: 'approved' });
  });
});
