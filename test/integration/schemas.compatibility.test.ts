import { execFileSync } from 'child_process';
import { RegistryAdmin } from '../../shared/contracts/registry-admin';
import { loadSchemaFiles } from '../../shared/contracts/schemas';
import { subjectFor, topicOfRecord, RecordName } from '../../shared/topics';
import { TestStack } from '../support/stack';

describe('schema evolution against the real Schema Registry', () => {
  const stack = new TestStack();
  const admin = new RegistryAdmin(stack.platform.config);

  beforeAll(() => stack.provision());
  afterAll(() => stack.close());

  const subjectOf = (fullName: string) => subjectFor(stack.topic(topicOfRecord(fullName as RecordName)), fullName);

  it('when the schema files are checked against the registered versions, then every one is BACKWARD compatible', async () => {
    for (const f of loadSchemaFiles()) {
      expect({ subject: subjectOf(f.fullName), ...(await admin.isCompatible(subjectOf(f.fullName), f.text)) }).toMatchObject({ compatible: true });
    }
  });

  it('when SCHEMA_REGISTRY_URL points past the Confluent-compatible API (every path 404), then a check reads incompatible, naming the URL, not compatible', async () => {
    const wrong = new RegistryAdmin({ ...stack.platform.config, SCHEMA_REGISTRY_URL: stack.platform.config.SCHEMA_REGISTRY_URL.replace(/\/apis\/ccompat\/v7\/?$/, '/no-such-api') });
    const [f] = loadSchemaFiles();
    const result = await wrong.isCompatible(subjectOf(f!.fullName), f!.text);
    expect(result).toEqual({ compatible: false, messages: [expect.stringContaining('is SCHEMA_REGISTRY_URL the registry')] });
  });

  it('when a field without a default is added, then the registry refuses it as not BACKWARD compatible', async () => {
    const [f] = loadSchemaFiles().filter((s) => s.fullName === 'io.oms.orders.OrderPlaced');
    const broken = { ...f!.schema, fields: [...f!.schema.fields, { name: 'loyaltyTier', type: 'string' }] };
    expect((await admin.isCompatible(subjectOf(f!.fullName), JSON.stringify(broken))).compatible).toBe(false);
  });

  it('when a field with a default is added, then the change is accepted as BACKWARD compatible', async () => {
    const [f] = loadSchemaFiles().filter((s) => s.fullName === 'io.oms.orders.OrderPlaced');
    const evolved = { ...f!.schema, fields: [...f!.schema.fields, { name: 'loyaltyTier', type: ['null', 'string'], default: null }] };
    expect((await admin.isCompatible(subjectOf(f!.fullName), JSON.stringify(evolved))).compatible).toBe(true);
  });
});

/** `docker compose` (v2 plugin) or `docker-compose` (v1, Debian's package): whichever validates here. */
const composeCommand = (() => {
  for (const cmd of [['docker', 'compose'], ['docker-compose']]) {
    try {
      execFileSync(cmd[0]!, [...cmd.slice(1), 'version'], { stdio: 'ignore' });
      return cmd;
    } catch {
      // not installed
    }
  }
  return null;
})();

(composeCommand ? describe : describe.skip)('docker-compose.kafka.yml', () => {
  it('validates with `compose config` and defines kafka, schema-registry and postgres, each with a healthcheck', () => {
    const [bin, ...args] = composeCommand!;
    const out = execFileSync(bin!, [...args, '-f', 'docker-compose.kafka.yml', 'config'], { encoding: 'utf8' });
    const services = [...out.matchAll(/^  ([a-z-]+):$/gm)].map((m) => m[1]).sort();
    expect(services).toEqual(['kafka', 'postgres', 'schema-registry']);
    expect(out.match(/^    healthcheck:$/gm)).toHaveLength(3);
  });
});
