/**
 * `npx ts-node --transpile-only bench/partitioner.ts`: the producers' partitioner
 * (shared/kafka/partitioner.ts) against kafkajs's DefaultPartitioner, in one process: nanoseconds
 * per keyed message over order-id keys and 6 partitions, median of 7 alternated rounds, and the ratio.
 */
import { randomUUID } from 'crypto';
import { type ICustomPartitioner, Partitioners } from 'kafkajs';
import { KeyHashPartitioner } from '../shared/kafka/partitioner';
import { median } from './ab-plan';

const partitionMetadata = Array.from({ length: 6 }, (_, partitionId) => ({ partitionId, leader: 0, partitionErrorCode: 0, replicas: [0], isr: [0] }));
const keys = Array.from({ length: 10_000 }, () => randomUUID());
const REPEAT = 20;

function nsPerMessage(create: ICustomPartitioner): number {
  const partition = create();
  let checksum = 0;
  const started = process.hrtime.bigint();
  for (let r = 0; r < REPEAT; r++) for (const key of keys) checksum += partition({ topic: 'oms.orders', partitionMetadata, message: { key, value: null } });
  const ns = Number(process.hrtime.bigint() - started) / (REPEAT * keys.length);
  if (checksum < 0) throw new Error('unreachable: keeps the loop from being optimised away');
  return ns;
}

const runs = { kafkajs: [] as number[], ours: [] as number[] };
for (let round = 0; round < 7; round++) {
  runs.kafkajs.push(nsPerMessage(Partitioners.DefaultPartitioner));
  runs.ours.push(nsPerMessage(KeyHashPartitioner));
}
const base = median(runs.kafkajs)!;
const candidate = median(runs.ours)!;
console.log(`kafkajs DefaultPartitioner: ${runs.kafkajs.map((n) => n.toFixed(0)).join(', ')} ns/message (median ${base.toFixed(0)})`);
console.log(`KeyHashPartitioner:         ${runs.ours.map((n) => n.toFixed(0)).join(', ')} ns/message (median ${candidate.toFixed(0)})`);
console.log(`ratio ${(candidate / base).toFixed(3)}`);
