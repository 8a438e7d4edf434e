import { createKafka, onClientError } from '../../shared/kafka/client';
import { loadConfig } from '../../shared/config';
import { createLogger } from '../../shared/logger';

describe('onClientError', () => {
  const kafka = createKafka(loadConfig({}), 'unit', createLogger('unit', 'silent'));

  it('when the Kafka client logs an error, then each listener is called; warnings and unsubscribed listeners are not', () => {
    const calls: string[] = [];
    const stopA = onClientError(kafka, () => calls.push('a'));
    onClientError(kafka, () => calls.push('b'));
    kafka.logger().error('Connection error: connect ECONNREFUSED 127.0.0.1:9092');
    kafka.logger().warn('The group is rebalancing, re-joining');
    stopA();
    kafka.logger().error('Failed to connect to seed broker');
    expect(calls).toEqual(['a', 'b', 'b']);
  });
});
