import type { SubmitOrder } from '../../shared/contracts/types.generated';
import { admission, type Handler, onlyWhen, refusingUnfit } from '../../shared/runner/handler';
import { aSubmitOrder } from '../support/orders';

describe('what the runner asks of a message before any transaction', () => {
  const handler: Handler<'io.oms.commands.SubmitOrder'> = async () => undefined;
  const webOnly = (e: SubmitOrder) => e.channel === 'web';
  const noRef = (e: SubmitOrder) => (e.channelOrderRef === '' ? 'channelOrderRef is empty' : null);

  it('when a handler has no tests, then every message is handled', () => {
    expect(admission(handler, aSubmitOrder({ channel: 'app' }))).toBe('handle');
  });

  it.each([
    ['onlyWhen outside', onlyWhen<'io.oms.commands.SubmitOrder'>(webOnly, refusingUnfit<'io.oms.commands.SubmitOrder'>(noRef, handler))],
    ['refusingUnfit outside', refusingUnfit<'io.oms.commands.SubmitOrder'>(noRef, onlyWhen<'io.oms.commands.SubmitOrder'>(webOnly, handler))],
  ])('when onlyWhen and refusingUnfit wrap each other (%s), then both tests count, the skip first', (_, both) => {
    expect(admission(both, aSubmitOrder({ channel: 'web' }))).toBe('handle');
    expect(admission(both, aSubmitOrder({ channel: 'app', channelOrderRef: '' }))).toBe('skip');
    expect(admission(both, aSubmitOrder({ channel: 'web', channelOrderRef: '' }))).toEqual({ unfit: 'channelOrderRef is empty' });
  });
});
