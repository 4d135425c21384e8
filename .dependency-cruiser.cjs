/**
 * The engine's import rules (engine/src), checked by `npm run lint:deps`
 * (dependency-cruiser); the app's are in .dependency-cruiser.app.cjs. Each rule
 * names what it forbids and why; a violation fails the lint with the two
 * files and the rule. Type-only imports count like any other.
 */

// ---- engine (engine/src) ------------------------------------------------------
// The engine's layers, bottom up. A module may import its own layer and the
// layers below it, never one above. Tests (*.test.ts) may import anything;
// testing/ (test helpers) may import anything, and only tests import it.
const ENGINE_LAYERS = [
  ['errors.ts', 'fs'], // the ground: StorageError and the file-system seam
  ['util'],
  ['log', 'table'],
  ['memtable', 'version', 'options', 'events'], // options and event/stats shapes sit below db and compaction, which both use them
  ['db'], // one collection; talks to compaction only through db/compactor.ts
  ['compaction'],
  ['repair'],
  ['manager'], // wires compaction into collections
  ['level', 'transfer'],
  ['index.ts'], // the public API
  ['cli'], // reaches the engine only through index.ts (see engine-cli-public-api)
  ['cli.ts'],
];

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const enginePath = (part) => (part.endsWith('.ts') ? `^engine/src/${escape(part)}$` : `^engine/src/${escape(part)}/`);
const anyOf = (parts) => parts.map(enginePath);
const ENGINE_TEST = '\\.test\\.ts$';

const engineLayerRules = ENGINE_LAYERS.slice(0, -1).map((layer, i) => ({
  name: `engine-layer-${layer.join('-').replace(/\.ts/g, '')}`,
  severity: 'error',
  comment: `engine layers: ${layer.join(', ')} may import only its own layer and those below it, never ${ENGINE_LAYERS.slice(i + 1)
    .map((l) => l.join('/'))
    .join(', ')}`,
  from: { path: anyOf(layer), pathNot: ENGINE_TEST },
  to: { path: anyOf(ENGINE_LAYERS.slice(i + 1).flat()) },
}));

const engineRules = [
  {
    name: 'engine-no-circular',
    severity: 'error',
    comment: 'No import cycles in the engine, type-only imports included: a cycle means two modules are one job.',
    from: { path: '^engine/src/' },
    to: { circular: true },
  },
  ...engineLayerRules,
  {
    name: 'engine-testing-only-in-tests',
    severity: 'error',
    comment: 'testing/ holds test helpers: production code never imports it.',
    from: { path: '^engine/src/', pathNot: [ENGINE_TEST, '^engine/src/testing/'] },
    to: { path: '^engine/src/testing/' },
  },
  {
    name: 'engine-cli-public-api',
    severity: 'error',
    comment: 'The CLI is a client of the engine like any other: it imports only the public API (engine/src/index.ts).',
    from: { path: '^engine/src/cli/', pathNot: ENGINE_TEST },
    to: { path: '^engine/src/', pathNot: ['^engine/src/cli/', '^engine/src/index\\.ts$'] },
  },
];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [...engineRules],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|out|node_modules)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.depcruise.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs'],
    },
  },
};
