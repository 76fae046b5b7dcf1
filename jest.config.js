const fs = require('node:fs');
const path = require('node:path');

/** One `npm test` runs every project: server (real PostgreSQL), client components, e2e (real Chromium). */
const projects = ['tests/jest.server.config.js', 'client/jest.config.js', 'tests/jest.e2e.config.js'];

module.exports = {
  projects: projects.filter((p) => fs.existsSync(path.join(__dirname, p))).map((p) => `<rootDir>/${p}`),
};
