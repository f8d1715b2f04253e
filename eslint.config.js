// Lint: type-aware (typescript-eslint's recommendedTypeChecked; every linted file belongs to one of
// the three TypeScript projects below, which `npm run typecheck` checks too), and the layering rules
// of docs/architecture.md ("Layering"), generated from the two tables below, which mirror its tables.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import pkg from './package.json' with { type: 'json' };

const LAYERING = '(docs/architecture.md, Layering)';

// ---- Layering: who may import what ------------------------------------------------------------
//
// `src`: the places under src/ a folder may import from besides itself: a top-level folder
// (`contract`), a folder or file of the core (`core/util`, `core/agent-error.ts`), or one file of a
// core folder (`core/inspect/invoice/invoice-summary.ts`: that folder for that file only).
// `packages`: the packages it may import, `builtins` whether Node's too. Everything else is refused,
// `import type` and `export … from` included. An import is placed by the first folder it names after
// climbing out with `../` (no folder of src/ has a subfolder named like a folder it must not import).

/** @typedef {{ src: string[], packages: string[], builtins?: boolean, packagesSaid?: string }} Row */
/** @typedef {import('typescript-eslint').ConfigWithExtends} Config */

/** Inside src/core/: one entry per folder (and per file at its top). @type {Record<string, Row>} */
const CORE = {
  util: { src: [], packages: [] },
  xml: { src: [], packages: ['saxes'] },
  log: { src: [], packages: ['electron-log/node'] },
  tls: { src: [], packages: ['@peculiar/x509', 'reflect-metadata'] },
  lifecycle: { src: ['core/log'], packages: [] },
  config: { src: ['core/util', 'contract'], packages: ['zod'] },
  inspect: { src: ['core/xml', 'core/util', 'contract'], packages: ['asn1js', 'pkijs', 'unpdf'] },
  hub: { src: ['core/util', 'core/log', 'contract'], packages: ['axios', 'https-proxy-agent', 'proxy-from-env', 'ssh2', 'ssh2-sftp-client', 'zod'] },
  store: { src: ['core/agent-error.ts', 'contract'], packages: ['better-sqlite3'] },
  intake: { src: ['core/inspect', 'core/store', 'core/log', 'core/util', 'contract'], packages: ['chokidar', 'yauzl', 'uuid'] },
  printer: { src: ['core/intake', 'core/store', 'core/config', 'core/log', 'core/util'], packages: ['pdf-lib', 'zod'] },
  sync: { src: ['core/hub', 'core/store', 'core/inspect', 'core/lifecycle', 'core/log', 'core/util', 'contract'], packages: [] },
  api: { src: ['core/agent', 'core/agent-error.ts', 'core/config', 'core/sync', 'core/log', 'core/util', 'contract'], packages: ['fastify', 'zod'] },
  agent: {
    src: [
      'core/agent-error.ts',
      'core/config',
      'core/store',
      'core/intake',
      'core/hub',
      'core/sync',
      'core/printer',
      'core/lifecycle',
      'core/log',
      'core/util',
      'core/inspect/invoice/invoice-summary.ts',
      'core/inspect/invoice/invoice-view.ts',
      'core/inspect/invoice/pdf-text.ts',
      'contract',
    ],
    packages: [],
  },
  support: { src: ['core/store', 'core/config', 'core/log', 'core/util', 'contract'], packages: ['yazl'] },
  host: { src: ['core/agent', 'core/api', 'core/config', 'core/log', 'core/support', 'core/util'], packages: [] },
  'agent-error.ts': { src: [], packages: [] },
};

// package.json's dependencies; electron-log only as electron-log/node (the bare one is Electron's).
const RUNTIME_DEPENDENCIES = [...Object.keys(pkg.dependencies).filter((name) => name !== 'electron-log'), 'electron-log/node'];
const DEPENDENCIES_SAID = "package.json's dependencies (electron-log as electron-log/node)";

/** The folders of src/ but core (its folders are above), contract and preload (their rules are below). @type {Record<string, Row>} */
const TOP = {
  'sandbox-hub': { src: ['contract', 'core'], packages: RUNTIME_DEPENDENCIES, packagesSaid: DEPENDENCIES_SAID },
  cli: { src: ['contract', 'core', 'sandbox-hub'], packages: RUNTIME_DEPENDENCIES, packagesSaid: DEPENDENCIES_SAID },
  main: { src: ['contract', 'core'], packages: ['electron', ...RUNTIME_DEPENDENCIES], packagesSaid: `electron and ${DEPENDENCIES_SAID}` },
  renderer: { src: ['contract'], packages: ['react', 'react-dom', 'pdfjs-dist'], builtins: false },
};

// The folders of src/ and of src/core/, as an import names them after its `../`s.
const TOP_FOLDERS = ['contract', 'core', 'sandbox-hub', 'cli', 'main', 'preload', 'renderer'];
const CORE_PLACES = Object.keys(CORE);

/** @param {string} text */
const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const BUILTINS = builtinModules.filter((name) => !name.startsWith('node:'));

/** A bare specifier (a package or a built-in) that is none of `allowed`. @param {string[]} allowed @param {boolean} builtins */
function packagesBut(allowed, builtins) {
  const names = [...allowed, ...(builtins ? BUILTINS : [])].map(escape);
  return `^(?![./])${builtins ? '(?!node:)' : ''}(?!(?:${names.join('|') || '$^'})(?:/|$))`;
}

/** A relative import that climbs out (`../`…) into one of the top-level `folders`. @param {string[]} folders */
function climbsInto(folders) {
  return `^(?:\\.\\./)+(?:${folders.map(escape).join('|')})(?:/|$)`;
}

/**
 * From inside the core: a relative import into one of the core's `places` (folders, or files at its
 * top), but the `except` files in them. @param {string[]} places @param {string[]} except
 */
function reachesCore(places, except = []) {
  const rest = except.length > 0 ? `/(?!(?:${except.map(escape).join('|')})$)` : '(?:/|$)';
  return `^(?:\\.\\./)+(?:core/)?(?:${places.map(escape).join('|')})${rest}`;
}

/** @param {string[]} items */
function listed(items) {
  return items.length > 0 ? items.join(', ') : 'nothing';
}

// Dynamic import() only of a package, named literally, that the place may import anyway: a heavy
// package used by few is loaded when first used instead of at start (docs/performance.md, "Memory").
// Never of a module of src/: the layering rules see static imports only (src/cli/main.ts loads its
// commands, the top of the graph, this way). No require() either.
const NO_RELATIVE_IMPORT_CALL = 'ImportExpression[source.value=/^(\\.|\\x2F)/]';
/** A regex written for an esquery selector, which allows no `/` inside one. @param {string} regex */
const forSelector = (regex) => regex.replaceAll('/', '\\x2F');

/** @param {{ selector: string, message: string }[]} extra @param {string} relative @returns {['error', ...{ selector: string, message: string }[]]} */
function syntaxRule(extra, relative = NO_RELATIVE_IMPORT_CALL) {
  return [
    'error',
    { selector: "ImportExpression:not([source.type='Literal'])", message: `import() only of a package named literally ${LAYERING}.` },
    { selector: relative, message: `No dynamic import() of src/ modules: the layering rules see only static imports ${LAYERING}.` },
    {
      selector: "CallExpression[callee.name='createRequire']",
      message: `No require() in src/: the layering rules do not see it; import statically ${LAYERING}.`,
    },
    ...extra,
  ];
}

/** import() of a package the place may not import. @param {string} regex @param {string} message */
function packageCallRule(regex, message) {
  return { selector: `ImportExpression[source.value=/${forSelector(regex)}/]`, message };
}

/** The restricted imports of one core folder (or file). @param {string} place @param {Row} row @returns {Config} */
function coreRule(place, { src, packages }) {
  const self = `core/${place}`;
  const message = `${self} imports from src/ only: ${listed(src)} ${LAYERING}.`;
  const outside = TOP_FOLDERS.filter((folder) => folder !== 'core' && !src.includes(folder));
  const refused = CORE_PLACES.filter((other) => other !== place && !src.includes(`core/${other}`));
  /** @param {string} other */
  const filesOf = (other) => src.filter((entry) => entry.startsWith(`core/${other}/`)).map((entry) => entry.slice(`core/${other}/`.length));
  const whole = refused.filter((other) => filesOf(other).length === 0);
  const patterns = [
    { regex: climbsInto(outside), caseSensitive: true, message },
    ...(whole.length > 0 ? [{ regex: reachesCore(whole), caseSensitive: true, message }] : []),
    // A folder of which only some files may be imported.
    ...refused.filter((other) => filesOf(other).length > 0).map((other) => ({ regex: reachesCore([other], filesOf(other)), caseSensitive: true, message })),
    { regex: packagesBut(packages, true), caseSensitive: true, message: `${self} imports only Node's built-ins and ${listed(packages)} ${LAYERING}.` },
  ];
  const calls = syntaxRule([packageCallRule(packagesBut(packages, true), `${self} imports only Node's built-ins and ${listed(packages)} ${LAYERING}.`)]);
  return {
    files: [place.endsWith('.ts') ? `src/core/${place}` : `src/core/${place}/**/*.ts`],
    rules: { 'no-restricted-imports': ['error', { patterns }], 'no-restricted-syntax': calls },
  };
}

/** The restricted imports of one top-level folder but core and preload. @param {string} folder @param {Row} row @returns {Config} */
function topRule(folder, { src, packages, builtins = true, packagesSaid = listed(packages) }) {
  const outside = TOP_FOLDERS.filter((other) => other !== folder && !src.includes(other));
  const what = builtins ? `Node's built-ins and ${packagesSaid}` : packagesSaid;
  const patterns = [
    { regex: climbsInto(outside), caseSensitive: true, message: `${folder} imports from src/ only: ${listed(src)} ${LAYERING}.` },
    { regex: packagesBut(packages, builtins), caseSensitive: true, message: `${folder} imports only ${what} ${LAYERING}.` },
  ];
  const calls = syntaxRule([packageCallRule(packagesBut(packages, builtins), `${folder} imports only ${what} ${LAYERING}.`)]);
  return { files: [`src/${folder}/**/*.{ts,tsx}`], rules: { 'no-restricted-imports': ['error', { patterns }], 'no-restricted-syntax': calls } };
}

// A sandboxed preload cannot load modules: it imports electron's renderer modules, and types only
// from contract and itself (build/compile-preload.ts also refuses any other require when it builds).
const ELECTRON_RENDERER_MODULES = ['contextBridge', 'crashReporter', 'ipcRenderer', 'nativeImage', 'webFrame', 'webUtils'];
/** @type {Config} */
const preloadRule = {
  files: ['src/preload/**/*.ts'],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        paths: [{ name: 'electron', allowImportNames: ELECTRON_RENDERER_MODULES, message: `preload imports only electron's renderer modules ${LAYERING}.` }],
        patterns: [
          {
            regex: '^(?!electron$|\\./|\\.\\./contract/)',
            caseSensitive: true,
            message: `preload may import electron, and types from contract and preload, only ${LAYERING}.`,
          },
          {
            regex: '^(?:\\./|\\.\\./contract/)',
            caseSensitive: true,
            allowTypeImports: true,
            message: `preload imports contract and preload for types only (import type): a sandboxed preload cannot load modules ${LAYERING}.`,
          },
        ],
      },
    ],
  },
};

// contract is types and plain functions that run anywhere (compiled with the renderer too): it
// imports nothing but itself, no package and no built-in.
/** @type {Config} */
const contractRule = {
  files: ['src/contract/**/*.ts'],
  rules: {
    'no-restricted-imports': [
      'error',
      { patterns: [{ regex: '^(?!\\./)', caseSensitive: true, message: `contract imports only contract: no other folder, no package, no Node ${LAYERING}.` }] },
    ],
  },
};

export default tseslint.config(
  { ignores: ['node_modules/', 'tools/', 'dist/', 'coverage/', '.demo/', 'src/renderer/dist/', '.tmp/'] },
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
    files: ['src/renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
  },
  // Layering: one rule per row of the tables above (each file matches exactly one of them; a file of
  // src/ that none matches, in a folder the tables do not know yet, may import nothing).
  {
    files: ['src/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^',
              message: `A folder of src/ that the layering tables do not list: add its row to eslint.config.js and docs/architecture.md ${LAYERING}.`,
            },
          ],
        },
      ],
      // contract and preload keep this: they load nothing on demand.
      'no-restricted-syntax': syntaxRule([{ selector: 'ImportExpression', message: `No dynamic import() here ${LAYERING}.` }]),
    },
  },
  ...Object.entries(CORE).map(([place, row]) => coreRule(place, row)),
  ...Object.entries(TOP).map(([folder, row]) => topRule(folder, row)),
  contractRule,
  preloadRule,
  // The CLI's entry point loads the command it runs, and only that one.
  {
    files: ['src/cli/main.ts'],
    rules: { 'no-restricted-syntax': syntaxRule([], `${NO_RELATIVE_IMPORT_CALL}:not([source.value=/^\\.\\x2Fcommands\\x2F[a-z-]+\\.ts$/])`) },
  },
);
