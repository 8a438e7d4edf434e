import { randomUUID } from 'crypto';
import { AvroCodec, createSchemaRegistry } from '../../shared/contracts/codec';
import { subjectFor, topicName } from '../../shared/topics';
import { testEnv } from '../support/env';

const registryUrl = (testEnv().SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:8081/apis/ccompat/v7').replace(/\/$/, '');
const record = 'io.oms.fraud.FraudCheckFailed';

const compatibilityOf = async (subject: string) =>
  ((await (await fetch(`${registryUrl}/config/${encodeURIComponent(subject)}`)).json()) as { compatibilityLevel: string }).compatibilityLevel;
const setCompatibility = async (subject: string, compatibility: string) => {
  const res = await fetch(`${registryUrl}/config/${encodeURIComponent(subject)}`, {
    method: 'PUT', headers: { 'Content-Type': 'application/vnd.schemaregistry.v1+json' }, body: JSON.stringify({ compatibility }),
  });
  expect(res.status).toBe(200);
};

describe('provisioning a subject an operator configured', () => {
  const codec = new AvroCodec(createSchemaRegistry({ SCHEMA_REGISTRY_URL: registryUrl, SCHEMA_REGISTRY_USERNAME: '', SCHEMA_REGISTRY_PASSWORD: '' }), 10_000);

  it.each([
    ['a first attempt', false],
    ['a retry after a registration that went unanswered', true],
  ])('when the subject is set to FULL, then %s is refused with the subject and its level, and the setting stays FULL', async (_, resume) => {
    const topic = topicName('fraud', `t${randomUUID().slice(0, 8)}.`);
    const subject = subjectFor(topic, record);
    expect(await codec.register(topic, record)).toBeGreaterThan(0);
    expect(await compatibilityOf(subject)).toBe('BACKWARD');
    await setCompatibility(subject, 'FULL');

    await expect(codec.register(topic, record, { resume })).rejects.toMatchObject({
      code: 'registry_misconfigured',
      retriable: false,
      message: expect.stringContaining(`subject ${subject} has compatibility FULL, not BACKWARD`),
    });
    expect(await compatibilityOf(subject)).toBe('FULL');
  });

  it('when the subject is set back to BACKWARD, then registering it again gives the same id', async () => {
    const topic = topicName('fraud', `t${randomUUID().slice(0, 8)}.`);
    const subject = subjectFor(topic, record);
    const id = await codec.register(topic, record);
    await setCompatibility(subject, 'FULL');
    await setCompatibility(subject, 'BACKWARD');
    expect(await codec.register(topic, record, { resume: true })).toBe(id);
  });
});
