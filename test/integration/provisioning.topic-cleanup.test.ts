import { randomUUID } from 'crypto';
import type { Admin } from 'kafkajs';
import { createPlatform, Platform } from '../../shared/bootstrap';
import { deleteTopicsWithPrefix, ensureTopics } from '../../shared/provisioning';
import { testEnv } from '../support/env';

describe("deleting a run's topics", () => {
  let platform: Platform;
  let admin: Admin;
  beforeAll(async () => {
    platform = createPlatform('test', testEnv());
    admin = platform.kafka.admin();
    await admin.connect();
  });
  afterAll(async () => {
    await admin.disconnect();
    await platform.db.destroy();
  });

  it('when a run ends, then its topics and DLQs are deleted and another run with a longer prefix keeps its own', async () => {
    const run = `t${randomUUID().slice(0, 8)}.`;
    // a prefix that starts with the first run's name, as a careless startsWith on the bare name would match
    const neighbour = `${run.slice(0, -1)}x.`;
    const created = await ensureTopics(admin, run, 1);
    const kept = await ensureTopics(admin, neighbour, 1);

    const deleted = await deleteTopicsWithPrefix(admin, run);

    expect(deleted.sort()).toEqual(created.sort());
    expect(deleted.some((t) => t.endsWith('.dlq'))).toBe(true);
    const left = new Set(await admin.listTopics());
    expect(created.filter((t) => left.has(t))).toEqual([]);
    expect(kept.filter((t) => !left.has(t))).toEqual([]);
    await deleteTopicsWithPrefix(admin, neighbour);
  });

  it.each(['', 'oms.', 'abc', 'orders'])('when the prefix is %p, then nothing is deleted: it could name the fleet\'s own topics', async (prefix) => {
    await expect(deleteTopicsWithPrefix(admin, prefix)).rejects.toThrow(/refusing to delete topics/);
  });
});
