import { defineConfig } from 'vitest/config';

// Two tiers (architecture.md, "Tests"): `unit` needs no engine and runs in seconds; `integration`
// runs against the real test bed (scripts/testbed.sh): Docker with BuildKit, a loopback registry,
// the stand-in base images and the real Cog runtime inside the built images.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          globalSetup: ['test/support/temp-root.ts'],
          // Threads start faster than processes (each file still gets fresh module state), and
          // many unit files wait on timers and loopback sockets: more workers than cores help.
          pool: 'threads',
          maxWorkers: 4,
          // Generous: on a loaded 2-core machine a property test or a timeout test may run slow;
          // a test here asserts behaviour, never speed.
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          // temp-root first: its teardown (the temp folder removed) runs last.
          globalSetup: ['test/support/temp-root.ts', 'test/integration/global-setup.ts'],
          testTimeout: 300_000,
          hookTimeout: 600_000,
          // Builds share one engine and its cache; running files one at a time keeps them from
          // competing for two cores.
          fileParallelism: false,
        },
      },
    ],
  },
});
