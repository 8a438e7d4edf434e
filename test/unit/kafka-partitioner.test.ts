import fc from 'fast-check';
import { Partitioners, type PartitionMetadata } from 'kafkajs';
import { KeyHashPartitioner } from '../../shared/kafka/partitioner';

const partitionsOf = (count: number, leaderless: number[] = []): PartitionMetadata[] =>
  Array.from({ length: count }, (_, partitionId) => ({ partitionId, leader: leaderless.includes(partitionId) ? -1 : 0, partitionErrorCode: 0, replicas: [0], isr: [0] }));

describe('the producers\' partitioner', () => {
  const ours = KeyHashPartitioner();
  const kafkajs = Partitioners.DefaultPartitioner();
  const place = (partitioner: typeof ours, key: Buffer | string, partitions: number) =>
    partitioner({ topic: 'oms.orders', partitionMetadata: partitionsOf(partitions), message: { key, value: null } });

  it('when a message has a key of any bytes, then it goes to the partition kafkajs\'s default partitioner (the Java client\'s) picks', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.integer({ min: 1, max: 256 }), (bytes, partitions) => {
        const key = Buffer.from(bytes);
        expect(place(ours, key, partitions)).toBe(place(kafkajs, key, partitions));
      }),
      { numRuns: 2000 },
    );
  });

  it('when a message has a string key, ASCII or not, longer than the scratch buffer or not, then it goes where kafkajs puts it', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uuid(), fc.string({ unit: 'grapheme', maxLength: 200 }), fc.string({ minLength: 250, maxLength: 400 })), fc.integer({ min: 1, max: 64 }), (key, partitions) => {
        expect(place(ours, key, partitions)).toBe(place(kafkajs, key, partitions));
      }),
      { numRuns: 2000 },
    );
  });

  it('when a message names its partition, then it goes there, key or not', () => {
    const partitionMetadata = partitionsOf(6);
    expect(ours({ topic: 't', partitionMetadata, message: { key: 'order-1', value: null, partition: 4 } })).toBe(4);
    expect(ours({ topic: 't', partitionMetadata, message: { value: null, partition: 0 } })).toBe(0);
  });

  it('when a message has no key, then it goes round-robin over the partitions that have a leader, as kafkajs does', () => {
    const partitionMetadata = partitionsOf(4, [1, 3]);
    const seen = new Set(Array.from({ length: 20 }, () => ours({ topic: 't', partitionMetadata, message: { value: null } })));
    expect([...seen].sort()).toEqual([0, 2]);
  });
});
