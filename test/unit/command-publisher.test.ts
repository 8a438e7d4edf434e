import type { AvroCodec } from '../../shared/contracts/codec';
import { CommandPublisher } from '../../shared/command-publisher';
import type { MessageSender } from '../../shared/kafka/renewing-producer';

describe('CommandPublisher', () => {
  const sent: { key: string; value: Record<string, unknown> }[] = [];
  const producer = { send: async (r: { messages: { key: string; value: Buffer }[] }) => { for (const m of r.messages) sent.push({ key: m.key, value: JSON.parse(m.value.toString()) }); } } as unknown as MessageSender;
  const codec = { encode: async (_t: string, _r: string, value: unknown) => Buffer.from(JSON.stringify(value)) } as unknown as AvroCodec;
  const publisher = new CommandPublisher(producer, codec, '', 'api');

  it('when a caller names an order in upper case, then the command carries and is keyed by its id in lower case, on the partition of every other message of the order', async () => {
    const id = '0193A1B2-C3D4-7001-8000-00000000ABCD';
    await publisher.publish('io.oms.commands.CancelOrder', { orderId: id, reason: 'operator', requestedBy: 'test', detail: null });
    expect(sent.at(-1)).toMatchObject({ key: id.toLowerCase(), value: { orderId: id.toLowerCase(), reason: 'operator' } });
  });

  it('when the id is not a UUID, then it goes out as given, for intake to refuse', async () => {
    await publisher.publish('io.oms.commands.CancelOrder', { orderId: 'NOT-A-UUID', reason: 'operator', requestedBy: 'test', detail: null });
    expect(sent.at(-1)).toMatchObject({ key: 'NOT-A-UUID', value: { orderId: 'NOT-A-UUID' } });
  });
});
