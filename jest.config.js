/** Unit tests need nothing running; integration tests need the local stack (npm run stack:up). */
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  testTimeout: 60000,
  verbose: true,
  globalSetup: '<rootDir>/test/support/global-setup.ts',
};
