// One lint for the whole repository: typescript-eslint (type-aware where it
// pays: promises that are dropped or misused), React's hook rules in the
// renderer, and every disable must say why. Layers and import cycles are
// checked by dependency-cruiser (.dependency-cruiser.cjs), formatting by
// Prettier; `npm run lint` runs all three.
import js from '@eslint/js';
import comments from '@eslint-community/eslint-plugin-eslint-comments/configs';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import noSilentCatch from './eslint-rules/no-silent-catch.js';

const typed = ['engine/src/**/*.ts', 'src/**/*.ts', 'src/**/*.tsx'];

export default tseslint.config(
  { ignores: ['**/node_modules/', '**/dist/', 'out/', 'e2e/artifacts/', 'test-results/', 'playwright-report/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  comments.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@eslint-community/eslint-comments/require-description': ['error', { ignore: [] }],
      '@eslint-community/eslint-comments/disable-enable-pair': ['error', { allowWholeFile: true }],
      // A variable read by a closure before its one assignment (a signal handler set up first) must stay `let`.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    files: typed,
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            {
              from: 'package',
              package: 'node:test',
              name: ['test', 'describe', 'it', 'suite', 'before', 'after', 'beforeEach', 'afterEach'],
            },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
      '@typescript-eslint/await-thenable': 'error',
    },
  },
  {
    // Errors are never swallowed: an ignored rejection says why it is safe (see the rule's file).
    // The engine first; the app's handlers get their reasons with its status-bar warnings.
    files: ['engine/src/**/*.ts'],
    ignores: ['engine/src/**/*.test.ts', 'engine/src/testing/**'],
    plugins: { strata: { rules: { 'no-silent-catch': noSilentCatch } } },
    rules: { 'strata/no-silent-catch': 'error', 'no-empty': ['error', { allowEmptyCatch: false }] },
  },
  {
    // Code passed to page.evaluate runs in the browser.
    files: ['e2e/**/*.{ts,mjs}'],
    languageOptions: { globals: { ...globals.browser } },
    // Playwright fixtures that need no other fixture still take one as `{}`.
    rules: { 'no-empty-pattern': ['error', { allowObjectPatternsAsParameters: true }] },
  },
  {
    // Tests and the Electron stand-in talk to loosely typed peers (tape, ws frames, Electron's API surface).
    files: [
      '**/*.test.ts',
      'src/main/desktop/electron-stand-in/**',
      'src/main/web/web-test-kit.ts',
      'e2e/**',
      'engine/src/level/abstract-level-test.d.ts',
    ],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    // The two rules of hooks. The plugin's other rules check code for the React
    // Compiler, which this app does not use; they would flag idioms it relies on
    // (a ref read while rendering a canvas frame, state reset when a prop changes).
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'error' },
  },
);
