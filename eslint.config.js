// Lint, including the layering rules of docs/architecture.md ("Layering"): what is enforced here is
// marked there, and so is what is not enforced yet.
//
// Type-aware (typescript-eslint's recommendedTypeChecked): every linted file belongs to one of the
// three TypeScript projects below, which `npm run typecheck` checks too.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const nodeBuiltins = ['node:*', 'fs', 'path', 'os', 'child_process', 'crypto', 'http', 'https', 'net'];

// core, contract, sandbox-hub and cli: no Electron, no React, no shell.
const noShell = {
  paths: [{ name: 'electron', message: 'core/contract/cli/sandbox-hub never import electron (docs/architecture.md).' }],
  patterns: [
    { group: ['electron/*', 'react', 'react-dom', 'react/*', 'react-dom/*'], message: 'No Electron or React outside main/preload/renderer.' },
    { group: ['**/main/**', '**/preload/**', '**/renderer/**'], message: 'The core does not depend on a shell.' },
  ],
};

export default tseslint.config(
  { ignores: ['node_modules/', 'tools/', 'dist/', 'coverage/', '.demo/', 'src/renderer/dist/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.node },
      // Node code, tests, bench, build, scripts and the config files; the two shells' projects below.
      parserOptions: { project: './tsconfig.json', tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
      // A promise is awaited, returned, given a .catch that handles it, or marked `void` with a comment
      // saying why it cannot reject (the agent has no unhandledRejection handler: one ends the process).
      '@typescript-eslint/no-floating-promises': 'error',
      // No async callback where a void one is expected (event handlers, timers): its rejection would float.
      '@typescript-eslint/no-misused-promises': 'error',
      // Off: `async` without `await` is how a function that must return a promise (fastify handlers and
      // hooks, IPP operations, interface implementations, test doubles) turns its throws into rejections;
      // dropping `async` would make them synchronous throws. A forgotten await is no-floating-promises' job.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    languageOptions: { parserOptions: { project: './tsconfig.renderer.json' } },
  },
  {
    files: ['src/main/**/*.ts', 'src/preload/**/*.ts'],
    languageOptions: { parserOptions: { project: './tsconfig.electron.json' } },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      // Off in tests: vitest types its asymmetric matchers (expect.any, expect.stringContaining,
      // expect.objectContaining…) as `any`, and every finding was one of them. The other no-unsafe-*
      // rules still catch an `any` that is used.
      '@typescript-eslint/no-unsafe-assignment': 'off',
    },
  },
  {
    files: ['src/core/**/*.ts', 'src/contract/**/*.ts', 'src/sandbox-hub/**/*.ts', 'src/cli/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', noShell] },
  },
  {
    // The sandbox hub is a test double that may reuse the agent's code (the XML parser, TLS, the
    // preflight rules its simulated SDI applies: one copy); the agent never depends on it.
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        ...noShell,
        patterns: [...noShell.patterns, { group: ['**/sandbox-hub/**'], message: 'The agent (core) never depends on the sandbox hub; the hub may use core, not the other way round.' }],
      }],
    },
  },
  {
    // The store keeps records and bytes; what they mean (inspect) and who writes or sends them
    // (intake, sync, hub, printer, api, agent) live above it (architecture.md, Layering).
    files: ['src/core/store/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        ...noShell,
        patterns: [
          ...noShell.patterns,
          { group: ['**/sandbox-hub/**'], message: 'The agent (core) never depends on the sandbox hub; the hub may use core, not the other way round.' },
          { group: ['**/inspect/**', '**/intake/**', '**/sync/**', '**/hub/**', '**/printer/**', '**/api/**', '**/agent/**'], message: 'The store depends on nothing above it: pass it plain values (architecture.md).' },
        ],
      }],
    },
  },
  {
    files: ['src/contract/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: nodeBuiltins.filter((n) => !n.includes('*')).map((name) => ({ name, message: 'contract is plain types, shared with the renderer.' })),
        patterns: [{ group: ['node:*', '**/core/**', '**/sandbox-hub/**', 'electron', 'electron/*'], message: 'contract is plain types, shared with the renderer.' }],
      }],
    },
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': ['error', {
        paths: nodeBuiltins.filter((n) => !n.includes('*')).map((name) => ({ name, message: 'The renderer has no Node.' })),
        patterns: [{ group: ['node:*', '**/core/**', '**/sandbox-hub/**', 'electron', 'electron/*'], message: 'The renderer talks to the core only through the contract.' }],
      }],
    },
  },
  {
    files: ['src/preload/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: ['node:*', '**/core/**', '**/sandbox-hub/**', '**/main/**'], message: 'preload uses only electron renderer modules and contract.' }],
      }],
    },
  },
  {
    files: ['src/main/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: ['**/renderer/**', '**/sandbox-hub/**'], message: 'main imports core and contract only.' }],
      }],
    },
  },
);
