/**
 * The layers of docs/architecture.md, checked in `npm test` (npm run lint:deps). A request goes
 * down: server + plugins → schema → resolvers → loaders → cache → archtics (client, commands) →
 * quota → store; src/protocol is the wire vocabulary under all of them, shared with the sandbox.
 * Each layer imports only layers below it; src/app.ts alone assembles them.
 */
const layer = (name, dirs) => ({ name, path: `^(${dirs.join('|')})` });

// Top to bottom. A layer may import any layer after it in this list, never one before it.
const LAYERS = [
  layer('app', ['src/app\\.ts', 'src/main\\.ts']),
  layer('server', ['src/server\\.ts', 'src/plugins/', 'src/stitching\\.ts']),
  layer('schema', ['schema/']),
  layer('resolvers', ['resolvers/']),
  layer('context', ['src/context\\.ts']),
  layer('loaders', ['src/loaders/']),
  layer('cache', ['src/cache/']),
  layer('archtics', ['src/archtics/']),
  layer('quota', ['src/quota/']),
  layer('store', ['src/store/', 'src/idempotency/']),
];

const above = (i) => LAYERS.slice(0, i).map((l) => l.path);

module.exports = {
  forbidden: [
    ...LAYERS.slice(1).map((l, i) => ({
      name: `${l.name}-imports-only-below`,
      comment: `${l.name} must not import a layer above it (docs/architecture.md)`,
      severity: 'error',
      from: { path: l.path },
      to: { path: above(i + 1) },
    })),
    {
      name: 'protocol-is-the-bottom',
      comment: 'src/protocol is the wire vocabulary: it imports nothing of ours',
      severity: 'error',
      from: { path: '^src/protocol/' },
      to: { path: '^(src|schema|resolvers)/', pathNot: '^src/protocol/' },
    },
    {
      name: 'sandbox-is-an-independent-peer',
      comment:
        'the sandbox shares only the protocol vocabulary with the client, so tests against it prove the client',
      severity: 'error',
      from: { path: '^src/sandbox/' },
      to: {
        path: '^(src|schema|resolvers)/',
        pathNot: '^src/(sandbox|protocol)/|^src/(clock|logger|config)\\.ts$',
      },
    },
    {
      name: 'nothing-below-reaches-the-sandbox',
      severity: 'error',
      from: { path: '^(src|schema|resolvers)/', pathNot: '^src/(sandbox/|main\\.ts$)' },
      to: { path: '^src/sandbox/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: { path: '^(src|schema|resolvers)/' },
      to: { circular: true, dependencyTypesNot: ['type-only'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist|test|bench)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
