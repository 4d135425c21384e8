// The app's layers (src/), checked by dependency-cruiser: `npm run lint:deps:app`.
// The engine's layers are in .dependency-cruiser.cjs. Type-only imports count
// (tsPreCompilationDeps): a type that crosses a layer ties the layers as much
// as a value does.
//
//   src/renderer  the page: imports src/shared and itself, never the engine,
//                 src/main or src/preload (it reaches main only over IPC)
//   src/preload   relays IPC: imports the operation names and electron, nothing
//                 else (it is bundled into every window's sandbox)
//   src/shared    the IPC contract and wire model: imports neither the engine
//                 nor any other part of the app
//   src/main      the host: may import shared and the engine's public API
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No import cycles anywhere in the app, type-only imports included: a cycle means two modules are one job.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'renderer-only-shared',
      severity: 'error',
      comment: 'The renderer imports only src/shared and itself (and npm packages): it reaches main through IPC alone.',
      from: { path: '^src/renderer/' },
      to: { path: '^(src/(main|preload)/|engine/)' },
    },
    {
      name: 'renderer-never-engine',
      severity: 'error',
      comment:
        'The renderer never reaches the engine, directly or through anything it imports (shared included): the engine is Node code, and its types are not the wire format.',
      from: { path: '^src/renderer/' },
      to: { path: '^engine/', reachable: true },
    },
    {
      name: 'preload-only-operation-names',
      severity: 'error',
      comment: "The preload imports the operation names and electron only: anything else is bundled into every window's sandbox.",
      from: { path: '^src/preload/' },
      to: { pathNot: '^(src/preload/|src/shared/ipc/operations\\.ts$|node_modules/electron/)' },
    },
    {
      name: 'shared-imports-no-layer',
      severity: 'error',
      comment: 'src/shared is imported by every side; it imports none of them, and not the engine (the renderer would reach it).',
      from: { path: '^src/shared/' },
      to: { path: '^(src/(main|renderer|preload)/|engine/)' },
    },
    {
      name: 'operation-names-import-nothing',
      severity: 'error',
      comment: 'operations.ts is what the preload bundles: it must stay free of imports.',
      from: { path: '^src/shared/ipc/operations\\.ts$' },
      to: {},
    },
  ],
  options: {
    // The engine is checked by its own rules; here it is a leaf (its public index).
    doNotFollow: { path: ['node_modules', '^engine/'] },
    // Only the build output: node_modules stay in the graph as leaves, so a rule sees an import of zod (say) from the preload.
    exclude: { path: '^out/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.depcruise.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs'],
    },
  },
};
