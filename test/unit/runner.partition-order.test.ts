import { PartitionOrder } from '../../shared/runner/partition-order';

const settledState = async (p: Promise<unknown>) => Promise.race([p.then(() => 'resolved', () => 'rejected'), new Promise((r) => setImmediate(() => r('pending')))]);

describe('PartitionOrder', () => {
  it('when a partition\'s chunk is still running, then its next chunk waits for it, and another partition\'s does not', async () => {
    const order = new PartitionOrder();
    let finish: () => void = () => undefined;
    order.add('t|0', new Promise<void>((r) => (finish = r)));
    const sameWaits = order.previous('t|0');
    expect(await settledState(sameWaits)).toBe('pending');
    expect(await settledState(order.previous('t|1'))).toBe('resolved');
    finish();
    expect(await settledState(sameWaits)).toBe('resolved');
  });

  it('when a chunk fails, then every later chunk of its partition is refused until the group is joined again', async () => {
    const order = new PartitionOrder();
    order.add('t|0', Promise.reject(new Error('stopping')));
    await expect(order.previous('t|0')).rejects.toThrow('stopping');
    await expect(order.previous('t|0')).rejects.toThrow('stopping');
    order.reset();
    await expect(order.previous('t|0')).resolves.toBeUndefined();
  });

  it('when reset while a chunk is running, then the next chunk still waits for it', async () => {
    const order = new PartitionOrder();
    let finish: () => void = () => undefined;
    order.add('t|0', new Promise<void>((r) => (finish = r)));
    order.reset();
    const next = order.previous('t|0');
    expect(await settledState(next)).toBe('pending');
    finish();
    expect(await settledState(next)).toBe('resolved');
  });

  it('when stopping, then settled waits for every chunk handed in, failed ones included', async () => {
    const order = new PartitionOrder();
    let finish: () => void = () => undefined;
    order.add('t|0', new Promise<void>((r) => (finish = r)));
    order.add('t|1', Promise.reject(new Error('stopping')));
    const settled = order.settled();
    expect(await settledState(settled)).toBe('pending');
    finish();
    expect(await settledState(settled)).toBe('resolved');
  });
});
