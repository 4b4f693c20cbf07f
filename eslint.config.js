// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';
import globals from 'globals';

// Anchored (`/http`), so a module's own folder of the same name (shared/adapters/http/) is not one.
const nodeBuiltins = [
  'node:*',
  '/fs',
  '/path',
  '/http',
  '/https',
  '/net',
  '/os',
  '/crypto',
  '/zlib',
  '/stream',
  '/url',
  '/child_process',
];

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'test-results/', '.bench/', 'samples/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // shared/ is pure logic used by the proxy and the renderer alike: no Node, no DOM, no other layer.
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: nodeBuiltins, message: 'shared/ must stay free of Node imports.' },
            {
              group: ['**/proxy/**', '**/renderer/**', '**/electron/**'],
              message: 'shared/ imports only shared/.',
            },
          ],
        },
      ],
    },
  },
  {
    // The renderer runs in a browser sandbox: it talks to the host only through renderer/src/api.ts.
    files: ['renderer/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: nodeBuiltins,
              message: 'the renderer cannot use Node modules; go through the DesktopApi.',
            },
            {
              group: ['electron', '**/proxy/**', '**/electron/**'],
              message: 'the renderer imports only renderer/ and shared/.',
            },
          ],
        },
      ],
    },
  },
  {
    // Electron's side stays thin: window, menu, dialogs, IPC. Behaviour lives behind the host API.
    files: ['electron/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/renderer/**'], message: 'electron/ does not import the renderer.' },
          ],
        },
      ],
    },
  },
  {
    // examples/jest runs native ESM without a transform: its tests use Jest's injected globals.
    files: ['examples/jest/**/*.test.mjs'],
    languageOptions: { globals: { ...globals.jest } },
  },
  {
    // The React UI: the rules of hooks and the React Compiler's checks.
    files: ['renderer/**/*.{ts,tsx}'],
    ...(await import('eslint-plugin-react-hooks')).default.configs.flat.recommended,
  },
);
