const path = require('node:path');

const swc = ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }];

/** End-to-end: `npm start` in a child process, real Chromium through playwright-core. */
module.exports = {
  displayName: 'e2e',
  rootDir: path.resolve(__dirname, '..'),
  testMatch: ['<rootDir>/tests/e2e/**/*.test.ts'],
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j)sx?$': swc },
  // A few of Fastify's dependencies ship ESM only (cookie 2 for inject), also nested under another
  // package (@fastify/swagger-ui's own @fastify/static); compile them for jest's CommonJS sandbox.
  transformIgnorePatterns: ['/node_modules/(?!(cookie|content-disposition)/)(?!.*/node_modules/)'],
  globalSetup: '<rootDir>/tests/e2e/helpers/global-setup.ts',
  testTimeout: 180000,
};
