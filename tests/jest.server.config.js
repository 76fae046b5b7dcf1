const path = require('node:path');

const swc = ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }];

/** Server suite: real PostgreSQL (embedded, or TEST_DATABASE_URL), one fresh database per test file. */
module.exports = {
  displayName: 'server',
  rootDir: path.resolve(__dirname, '..'),
  testMatch: ['<rootDir>/tests/server/**/*.test.ts'],
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j)sx?$': swc },
  // A few of Fastify's dependencies ship ESM only (cookie 2 for inject), also nested under another
  // package (@fastify/swagger-ui's own @fastify/static); compile them for jest's CommonJS sandbox.
  transformIgnorePatterns: ['/node_modules/(?!(cookie|content-disposition)/)(?!.*/node_modules/)'],
  globalSetup: '<rootDir>/tests/helpers/global-setup.ts',
  globalTeardown: '<rootDir>/tests/helpers/global-teardown.ts',
  testTimeout: 30000,
};
