import { defaultServerConditions, defineConfig } from 'vite';

// Workspace packages export their TypeScript source under the "source" condition, so tests run
// against src/ without a build step.
const conditions = ['source', ...defaultServerConditions];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['source'] } },
  test: {
    include: ['src/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Two cores: one test file at a time per package keeps tfjs from fighting itself.
    poolOptions: { forks: { singleFork: false, maxForks: 2, minForks: 1 } },
    reporters: ['default'],
  },
});
