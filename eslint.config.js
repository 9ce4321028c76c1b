// Type-aware lint; `any` is forbidden everywhere (STYLE.md, habit 11).
import tseslint from 'typescript-eslint';

/**
 * The layers (STYLE.md, habit 1), lowest first: a folder may import only from
 * itself and the layers before it. The engine (abi .. scenario) imports
 * nothing from Node (`node:`); web/ only the package's public entry points.
 */
const LAYERS = ['abi', 'kernel', 'snapshot', 'syscalls', 'procfs', 'scenario', 'restore', 'host', 'native', 'trace', 'cli'];
const ENGINE = new Set(['abi', 'kernel', 'snapshot', 'syscalls', 'procfs', 'scenario', 'restore']);

function layerRules(layer, i) {
  const above = LAYERS.slice(i + 1);
  const patterns = above.map((l) => ({
    group: [`../${l}/*`, `../../${l}/*`, `../${l}`, `../../${l}`],
    message: `${layer}/ is below ${l}/: the layers are ${LAYERS.join(' → ')} (STYLE.md, habit 1).`,
  }));
  if (ENGINE.has(layer)) patterns.push({ group: ['node:*'], message: 'The engine runs in browsers too: no node: imports (STYLE.md, habit 1).' });
  return {
    files: [`src/${layer}/**/*.ts`],
    ignores: ['src/**/*.test.ts', 'src/**/test_*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns }] },
  };
}

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'native/build/', 'web/dist/', 'test-results/'] },
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['*.js', 'bin/*.js'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unnecessary-condition': 'off',
      '@typescript-eslint/prefer-literal-enum-member': 'off',
      '@typescript-eslint/no-extraneous-class': 'off',
      '@typescript-eslint/unified-signatures': 'off',
      // Signals, errnos and si_codes are numbers at the ABI: the kernel compares them with plain ints, and so do we.
      '@typescript-eslint/no-unsafe-enum-comparison': 'off',
      '@typescript-eslint/no-unsafe-enum-assignment': 'off',
    },
  },
  {
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
  ...LAYERS.map(layerRules),
  {
    // The visualizer is a user of the package: its public entry points only.
    files: ['web/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^\\.\\./\\.\\./src/(?!index\\.js$|scenario/index\\.js$|snapshot/index\\.js$|trace/index\\.js$)',
              message: 'web/ uses only the public entry points: src/index.js, src/scenario/index.js, src/snapshot/index.js, src/trace/index.js.',
            },
          ],
        },
      ],
    },
  },
);
