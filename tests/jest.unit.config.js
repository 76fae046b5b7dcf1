const path = require('node:path');

const swc = ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }];

/** Pure unit tests (the gate): no database, no server process, no browser; they never wait behind those. */
module.exports = {
  displayName: 'unit',
  rootDir: path.resolve(__dirname, '..'),
  testMatch: ['<rootDir>/tests/unit/**/*.test.ts'],
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j)sx?$': swc },
};
