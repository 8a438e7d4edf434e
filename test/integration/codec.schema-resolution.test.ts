import { randomUUID } from 'crypto';
import { Type } from 'avsc';
import { AvroCodec, createSchemaRegistry, type UnresolvableSchema } from '../../shared/contracts/codec';
import { newEnvelope } from '../../shared/contracts/envelope';
import { schemaByRecordName } from '../../shared/contracts/schemas';
import { subjectFor, topicName } from '../../shared/topics';
import { testEnv } from '../support/env';

const registryUrl = (testEnv().SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:8081/apis/ccompat/v7').replace(/\/$/, '');

/** Registers `schema` under `subject` as a producer of an older release would have, and returns its id. */
async function registerAsIs(subject: string, schema: object): Promise<number> {
  const res = await fetch(`${registryUrl}/subjects/${encodeURIComponent(subject)}/versions`, {
    method: 'POST', headers: { 'Content-Type': 'application/vnd.schemaregistry.v1+json' }, body: JSON.stringify({ schema: JSON.stringify(schema) }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { id: number }).id;
}

const framed = (id: number, body: Buffer) => {
  const header = Buffer.alloc(5);
  header.writeInt32BE(id, 1);
  return Buffer.concat([header, body]);
};

/**
 * Records written before a field was added (an older fleet's outbox, a lagging partition, a
 * replayed dead letter) are read into this code's schema, with the field's default: handlers test
 * `forLineId === null` for "the order's own", and an absent field read as undefined was taken for a
 * line's id (an order's FraudCheckPassed reserved nothing).
 */
describe('decoding a record written with an older schema', () => {
  const unresolvable: UnresolvableSchema[] = [];
  const codec = new AvroCodec(createSchemaRegistry({ SCHEMA_REGISTRY_URL: registryUrl, SCHEMA_REGISTRY_USERNAME: '', SCHEMA_REGISTRY_PASSWORD: '' }), 10_000, (s) => unresolvable.push(s));
  const record = 'io.oms.fraud.FraudCheckPassed';
  const current = schemaByRecordName(record).schema;
  const older = { ...current, fields: current.fields.filter((f) => f.name !== 'forLineId') };
  const orderId = randomUUID();
  const value = { ...newEnvelope('fraud', orderId), orderId, orderVersion: 2, score: 10, reasons: ['velocity_email:2_in_60m'] };

  it('when the writer had no forLineId, then it reads as the default, null, with every other field as written', async () => {
    const id = await registerAsIs(subjectFor(topicName('fraud', `t${randomUUID().slice(0, 8)}.`), record), older);
    const decoded = await codec.decode(framed(id, Type.forSchema(older as never).toBuffer(value)));
    expect(decoded.recordName).toBe(record);
    expect(decoded.value).toEqual({ ...value, forLineId: null });
    expect(unresolvable).toEqual([]);
  });

  it('when the writer had the current schema, then the record reads as written', async () => {
    const id = await registerAsIs(subjectFor(topicName('fraud', `t${randomUUID().slice(0, 8)}.`), record), current);
    const decoded = await codec.decode(framed(id, Type.forSchema(current as never).toBuffer({ ...value, forLineId: 'A-1' })));
    expect(decoded.value).toEqual({ ...value, forLineId: 'A-1' });
  });

  it('when a newer writer has an enum symbol this code lacks, then the record still reads as written, and the operator is told once for the schema id', async () => {
    const note = 'io.oms.notifications.CustomerNotification';
    const schema = schemaByRecordName(note).schema;
    const newer = { ...schema, fields: schema.fields.map((f) => (f.name === 'kind' ? { ...f, type: { ...(f.type as object), symbols: [...(f.type as { symbols: string[] }).symbols, 'RETURNED'] } } : f)) };
    const id = await registerAsIs(subjectFor(topicName('customerNotifications', `t${randomUUID().slice(0, 8)}.`), note), newer);
    const notification = {
      ...newEnvelope('notifications', orderId), orderId, orderVersion: 3, notificationId: randomUUID(), kind: 'RETURNED', channel: 'EMAIL',
      recipient: 'ada@example.com', subject: 's', body: 'b', carrier: null, trackingNumber: null,
    };
    const bytes = framed(id, Type.forSchema(newer as never).toBuffer(notification));
    const decoded = await codec.decode(bytes);
    expect(decoded.value).toMatchObject({ kind: 'RETURNED', notificationId: notification.notificationId });
    await codec.decode(bytes);
    expect(unresolvable).toEqual([{ schemaId: id, recordName: note, why: expect.stringContaining('NotificationKind') }]);
  });
});
