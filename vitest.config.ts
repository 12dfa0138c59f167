import { defineConfig } from 'vitest/config'

// Each test file runs in its own process: chDB binds one data folder per process.
export default defineConfig({
  test: {
    pool: 'forks',
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/cache-dir.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
})
