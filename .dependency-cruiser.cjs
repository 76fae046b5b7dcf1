/**
 * The server's architecture, checked in `npm run lint` (dependency-cruiser over server/src and
 * shared/src). Arrows run one way: modules → plugins → lib/db; nothing below imports above.
 *
 * Repositories: a module's `*-repository.ts` is imported only by files of its own module, and by
 * `server/src/app.ts`, the one place that wires factories together (it builds every repository and
 * hands it to its service). Another module asking for data goes through a function handed to it
 * in app.ts or through the owner's service, never through the owner's repository.
 */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import circle: split the shared part out (see modules/claim-gate/claim-types.ts).',
      from: {},
      to: { circular: true },
    },
    {
      name: 'lib-db-below-modules',
      severity: 'error',
      comment: 'lib/ and db/ are the bottom of the house: they never import modules/ or plugins/.',
      from: { path: '^server/src/(lib|db)/' },
      to: { path: '^server/src/(modules|plugins)/' },
    },
    {
      name: 'repository-owned-by-its-module',
      severity: 'error',
      comment: "A module's repository is imported only by its own module (and app.ts, which wires it).",
      from: { path: '^server/src/modules/([^/]+)/' },
      to: { path: '^server/src/modules/[^/]+/[^/]*-repository\\.ts$', pathNot: '^server/src/modules/$1/' },
    },
    {
      name: 'repository-owned-by-its-module-outside-modules',
      severity: 'error',
      comment: 'Outside modules/, only app.ts wires repositories.',
      from: { path: '^server/src/', pathNot: ['^server/src/modules/', '^server/src/app\\.ts$'] },
      to: { path: '^server/src/modules/[^/]+/[^/]*-repository\\.ts$' },
    },
    {
      name: 'server-not-client',
      severity: 'error',
      comment: 'The server never imports the client.',
      from: { path: '^(server|shared)/' },
      to: { path: '^client/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
