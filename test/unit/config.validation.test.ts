import { ConfigError, describeConfig, loadConfig, settings } from '../../shared/config';

describe('configuration from the environment', () => {
  it('when nothing is set, then every setting takes its documented default', () => {
    const c = loadConfig({});
    expect(c.KAFKA_BROKERS).toEqual(['127.0.0.1:9092']);
    expect(c.DATABASE_URL).toBe('postgres://postgres@127.0.0.1:5432/postgres');
    expect(c.SERVICES).toEqual(['all']);
    for (const [name, s] of Object.entries(settings)) {
      expect({ name, doc: s.doc.length > 10, hasDefault: s.default !== undefined }).toEqual({ name, doc: true, hasDefault: true });
    }
  });

  it('when several values are wrong, then one error lists every problem by variable name', () => {
    let error: ConfigError | undefined;
    try {
      loadConfig({ KAFKA_BROKERS: 'nohostport', DATABASE_POOL_MAX: '-1', LOG_LEVEL: 'loud', SCHEMA_REGISTRY_URL: 'not a url' });
    } catch (e) {
      error = e as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.problems.map((p) => p.split(':')[0]).sort()).toEqual(['DATABASE_POOL_MAX', 'KAFKA_BROKERS', 'LOG_LEVEL', 'SCHEMA_REGISTRY_URL']);
  });

  it('when RUNNER_FETCH_MAX_WAIT_MS is beyond 5000, then start-up is refused: the stall watchdog counts on a fetch at least that often', () => {
    expect(loadConfig({}).RUNNER_FETCH_MAX_WAIT_MS).toBe(500);
    expect(loadConfig({ RUNNER_FETCH_MAX_WAIT_MS: '5000' }).RUNNER_FETCH_MAX_WAIT_MS).toBe(5000);
    for (const bad of ['9000', '0', 'soon']) expect(() => loadConfig({ RUNNER_FETCH_MAX_WAIT_MS: bad })).toThrow(/RUNNER_FETCH_MAX_WAIT_MS/);
  });

  it('when KAFKA_RETRY_MAX_MS is unset, then Kafka clients back off at most 5 s; below 300 ms (kafkajs\'s first back-off) it is refused', () => {
    expect(loadConfig({}).KAFKA_RETRY_MAX_MS).toBe(5000);
    expect(loadConfig({ KAFKA_RETRY_MAX_MS: '30000' }).KAFKA_RETRY_MAX_MS).toBe(30000);
    for (const bad of ['100', '-1', 'later']) expect(() => loadConfig({ KAFKA_RETRY_MAX_MS: bad })).toThrow(/KAFKA_RETRY_MAX_MS/);
  });

  it('when SASL is chosen without credentials, then start-up is refused naming both variables', () => {
    expect(() => loadConfig({ KAFKA_SASL_MECHANISM: 'scram-sha-512' })).toThrow(/KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD/);
  });

  it('when the configuration is described for the log, then secrets and URL passwords are masked', () => {
    const c = loadConfig({
      DATABASE_URL: 'postgres://oms:s3cret-db@db:5432/oms',
      KAFKA_SASL_MECHANISM: 'scram-sha-256', KAFKA_SASL_USERNAME: 'svc', KAFKA_SASL_PASSWORD: 's3cret-kafka',
      SCHEMA_REGISTRY_PASSWORD: 's3cret-sr', SCHEMA_REGISTRY_USERNAME: 'sr',
    });
    const text = JSON.stringify(describeConfig(c));
    expect(text).not.toMatch(/s3cret/);
    expect(text).toContain('postgres://oms:***@db:5432/oms');
    expect(text).toContain('"KAFKA_SASL_USERNAME":"svc"');
  });

  it('when a registry URL carries a password, then the configuration log masks it too', () => {
    const c = loadConfig({ SCHEMA_REGISTRY_URL: 'https://sr-user:s3cret-url@registry.example:8081/apis/ccompat/v7' });
    expect(JSON.stringify(describeConfig(c))).toContain('"SCHEMA_REGISTRY_URL":"https://sr-user:***@registry.example:8081/apis/ccompat/v7"');
  });

  it('when a database URL carries its password in another form (query string, an @ inside it, no user), then the configuration log masks it too', () => {
    for (const [url, shown] of [
      ['postgres://oms@db/oms?password=s3cret-q&sslmode=require', 'postgres://oms@db/oms?password=***&sslmode=require'],
      ['postgres://oms:ab@s3cret-at@db/oms', 'postgres://oms:***@db/oms'],
      ['postgres://:s3cret-nouser@db/oms', 'postgres://:***@db/oms'],
    ]) {
      const text = JSON.stringify(describeConfig(loadConfig({ DATABASE_URL: url })));
      expect(text).not.toMatch(/s3cret/);
      expect(text).toContain(`"DATABASE_URL":"${shown}"`);
    }
  });

  it('when an interval or timeout is longer than a Node timer can wait (2^31-1 ms), then start-up is refused naming it', () => {
    expect(() => loadConfig({ RUNNER_COMMIT_INTERVAL_MS: '2592000000' })).toThrow(/RUNNER_COMMIT_INTERVAL_MS/);
    expect(loadConfig({ RUNNER_COMMIT_INTERVAL_MS: '2147483647' }).RUNNER_COMMIT_INTERVAL_MS).toBe(2147483647);
  });

  it('when the payment gateway URL carries a user or password, then start-up is refused: fetch refuses such URLs, the key goes in PAYMENT_GATEWAY_API_KEY', () => {
    expect(() => loadConfig({ PAYMENT_GATEWAY: 'http', PAYMENT_GATEWAY_URL: 'https://user:pass@gateway.example' })).toThrow(/PAYMENT_GATEWAY_URL: .*PAYMENT_GATEWAY_API_KEY/);
    expect(loadConfig({ PAYMENT_GATEWAY: 'http', PAYMENT_GATEWAY_URL: 'https://gateway.example' }).PAYMENT_GATEWAY_URL).toBe('https://gateway.example');
  });

  it('when a channel key is bound to a channel (key:channel=web), then it is taken; an empty or odd binding is refused', () => {
    expect(loadConfig({ API_KEYS: 'abcdefghijklmnop:channel=web,qrstuvwxyz012345:operator' }).API_KEYS).toEqual(['abcdefghijklmnop:channel=web', 'qrstuvwxyz012345:operator']);
    for (const bad of ['abcdefghijklmnop:channel=', 'abcdefghijklmnop:operator=web', 'abcdefghijklmnop:channel=a=b']) expect(() => loadConfig({ API_KEYS: bad })).toThrow(/API_KEYS/);
  });

  it('when KAFKA_SSL_CA_FILE is missing or set without KAFKA_SSL, then start-up is refused naming it', () => {
    expect(() => loadConfig({ KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: '/nonexistent/ca.pem' })).toThrow(/KAFKA_SSL_CA_FILE: file not found/);
    expect(() => loadConfig({ KAFKA_SSL_CA_FILE: __filename })).toThrow(/KAFKA_SSL_CA_FILE: only used with KAFKA_SSL=true/);
    expect(loadConfig({ KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: __filename }).KAFKA_SSL_CA_FILE).toBe(__filename);
  });
});
