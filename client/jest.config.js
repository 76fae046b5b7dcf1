const path = require('node:path');

/** Component tests: jsdom, babel-preset-taro, and light mocks of Taro's APIs and components. */
module.exports = {
  displayName: 'client',
  rootDir: path.resolve(__dirname, '..'),
  testMatch: ['<rootDir>/tests/client/**/*.test.ts?(x)'],
  testEnvironment: 'jsdom',
  transform: {
    '^.+\\.(t|j)sx?$': ['babel-jest', { configFile: path.resolve(__dirname, 'babel.config.js') }],
  },
  transformIgnorePatterns: ['/node_modules/(?!@tarojs)'],
  moduleNameMapper: {
    '^@tarojs/taro$': '<rootDir>/tests/client/__mocks__/taro.ts',
    '^@tarojs/components$': '<rootDir>/tests/client/__mocks__/components.tsx',
    '\\.(css|scss)$': '<rootDir>/tests/client/__mocks__/style.ts',
    '^@/(.*)$': '<rootDir>/client/src/$1',
  },
  setupFiles: ['<rootDir>/tests/client/setup.ts'],
  setupFilesAfterEnv: ['<rootDir>/tests/client/matchers.ts'],
};
