import { KafkaJSAggregateError, KafkaJSConnectionError, KafkaJSNonRetriableError, KafkaJSProtocolError } from 'kafkajs';
import { HeldRows, unsendableReason } from '../../shared/runner/unsendable-rows';

const protocolError = (type: string) => Object.assign(new KafkaJSProtocolError('broker said no'), { type });

describe('outbox rows the broker will never take', () => {
  it('when the topic is unknown, deep in kafkajs\'s causes or aggregates, then the row is unsendable', () => {
    expect(unsendableReason(Object.assign(new KafkaJSNonRetriableError('gave up'), { cause: protocolError('UNKNOWN_TOPIC_OR_PARTITION') }))).toBe('UNKNOWN_TOPIC_OR_PARTITION');
    expect(unsendableReason(new KafkaJSAggregateError('send failed', [protocolError('TOPIC_AUTHORIZATION_FAILED')]))).toBe('TOPIC_AUTHORIZATION_FAILED');
  });

  it('when the broker is away or busy, then it is no row\'s fault: not unsendable', () => {
    expect(unsendableReason(new KafkaJSConnectionError('Connection refused'))).toBeNull();
    expect(unsendableReason(Object.assign(new KafkaJSNonRetriableError('gave up'), { cause: protocolError('NOT_LEADER_FOR_PARTITION') }))).toBeNull();
    expect(unsendableReason(new Error('the broker did not acknowledge 3 outbox event(s) within 300 ms'))).toBeNull();
    const loop: { cause?: unknown } = {};
    loop.cause = loop;
    expect(unsendableReason(loop)).toBeNull();
  });

  it('when a row is set aside, then it is held until its time is up and then released', () => {
    let now = 1_000;
    const held = new HeldRows(600_000, () => now);
    held.hold('41');
    now += 599_999;
    expect(held.ids()).toEqual(['41']);
    now += 1;
    expect(held.ids()).toEqual([]);
  });
});
