// Lint, including the layering rules of docs/architecture.md ("Layering"): what is enforced here is
// marked there, and so is what is not enforced yet.
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
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
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
