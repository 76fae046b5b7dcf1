const path = require('node:path');

const swc = ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }];

/**
 * `npm run test:cluster`: the system as a city runs it (nginx, N web processes, a worker, a
 * PostgreSQL primary and streaming replica, Redis). Needs Debian's nginx and redis-server, so it is
 * not part of `npm test`; `.ci/run` installs them and runs it.
 */
module.exports = {
  displayName: 'cluster',
  rootDir: path.resolve(__dirname, '..'),
  testMatch: ['<rootDir>/tests/cluster/**/*.test.ts'],
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j)sx?$': swc },
  transformIgnorePatterns: ['/node_modules/(?!(cookie|content-disposition)/)(?!.*/node_modules/)'],
  testTimeout: 300000,
};
