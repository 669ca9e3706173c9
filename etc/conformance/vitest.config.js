import { defineConfig } from "vitest/config";

// Per-test timeout in milliseconds. Tests that wait on a long-poll without their own timeout
// fail when the server's long-poll timeout plus a few requests exceeds this value, so raise
// DS_TEST_TIMEOUT_MS for servers whose long-poll timeout is near or above 30 seconds.
const testTimeout = Number(process.env.DS_TEST_TIMEOUT_MS || 30000);

if (!Number.isInteger(testTimeout) || testTimeout <= 0) {
  throw new Error(
    `DS_TEST_TIMEOUT_MS must be a positive integer number of milliseconds, got "${process.env.DS_TEST_TIMEOUT_MS}"`,
  );
}

export default defineConfig({
  test: {
    include: ["test/**/*.test.js"],
    testTimeout,
    hookTimeout: testTimeout,
    watch: false,
  },
});
