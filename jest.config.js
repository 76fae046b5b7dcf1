const fs = require('node:fs');
const path = require('node:path');

/**
 * One `npm test` runs every project: unit (pure, first), server (real PostgreSQL), client components,
 * e2e (real Chromium). `npm run test:unit` is the quick gate.
 */
const projects = ['tests/jest.unit.config.js', 'tests/jest.server.config.js', 'client/jest.config.js', 'tests/jest.e2e.config.js'];

module.exports = {
  // Per-project testTimeout is ignored under `projects`: the e2e steps and the burst tests need more than 5 s.
  testTimeout: 60000,
  projects: projects.filter((p) => fs.existsSync(path.join(__dirname, p))).map((p) => `<rootDir>/${p}`),
};
