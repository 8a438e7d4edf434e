/** Environment of the test run: the `test` database and the local stack, unless overridden. */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export function testEnv(overrides: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    DATABASE_URL: TEST_DATABASE_URL,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    RUNNER_RETRY_INITIAL_MS: '50',
    RUNNER_RETRY_MAX_MS: '500',
    OUTBOX_RELAY_INTERVAL_MS: '200',
    // a registry request that is never answered is given up and sent again well inside a hook's timeout
    SCHEMA_REGISTRY_TIMEOUT_MS: '10000',
    ...overrides,
  };
}
