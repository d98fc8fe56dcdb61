// Lint rules that keep the architecture's boundaries (STYLE.md habit 12).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const noTypeorm = {
  group: ['typeorm', '@nestjs/typeorm', 'pg'],
  message: 'Only libs/db talks to the database (STYLE.md: persistence is an adapter).',
};
const pureLib = [
  {
    group: ['@nestjs/*', 'typeorm', '@nestjs/typeorm', 'pg', 'axios'],
    message: 'This library is pure: no framework, database or HTTP imports.',
  },
  {
    group: ['@hotline/db', '@hotline/tickets', '@hotline/dingtalk', '@hotline/config'],
    message: 'Pure libraries depend on no adapter.',
  },
];

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      '.data/**',
      'coverage/**',
      'dingtalk-miniapp/**',
      'docs/**',
      '**/*.mjs',
      '**/*.cjs',
      'jest.config.js',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-function-type': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', { patterns: [noTypeorm] }],
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.name='process'][property.name='env']",
          message: 'Read settings through libs/config (STYLE.md habit 7).',
        },
      ],
    },
  },
  {
    files: ['libs/db/**/*.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['libs/workflow/**/*.ts', 'libs/calendar/**/*.ts', 'libs/demo/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: pureLib }] },
  },
  {
    // Config reads the environment; tests and benchmarks set it up.
    files: [
      'libs/config/**/*.ts',
      'test/**/*.ts',
      '**/*.spec.ts',
      '**/*.int-spec.ts',
      '**/*.e2e-spec.ts',
      'bench/**/*.ts',
    ],
    rules: { 'no-restricted-syntax': 'off', 'no-restricted-imports': 'off' },
  },
);
