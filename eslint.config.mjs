// ESLint (flat config), run by `npm run lint` and so by `npm test`.
// TypeScript (lib/, test/): typescript-eslint's type-checked recommended rules, typed by tsconfig.json.
// Plain JavaScript (demo/, bench/, scripts/, test/scenarios/, test/helpers/, the root configs): CommonJS
// scripts run by node, checked by @eslint/js's recommended rules.
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// Unused arguments, variables and caught errors are meant when their name starts with `_`.
const unusedVars = [
  'error',
  { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true },
];

export default defineConfig(
  globalIgnores(['dist/', 'build/', 'docs/api/', 'node_modules/', 'prebuilds/', 'coverage/']),
  {
    // An eslint-disable comment that no longer disables anything is stale: say so.
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    extends: [js.configs.recommended],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { ...globals.node },
    },
    rules: {
      'no-unused-vars': unusedVars,
    },
  },
  {
    files: ['**/*.mjs'],
    extends: [js.configs.recommended],
    languageOptions: { sourceType: 'module', globals: { ...globals.node } },
  },
  {
    files: ['lib/**/*.ts', 'test/**/*.ts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': unusedVars,
    },
  },
);
