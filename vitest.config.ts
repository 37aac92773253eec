import { existsSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

/**
 * pip's index for the tests' package builds and the emulator's boto3: whatever the caller set
 * (PIP_INDEX_URL, PIP_EXTRA_INDEX_URL, PIP_RETRIES, as .ci/run does), else this machine's local
 * indexes when it has them (its default index is unreachable). coldbench itself never names an
 * index: pip runs as the user configured it. This file is test configuration, not shipped.
 */
function pipEnv(): Record<string, string> {
  // Test workers inherit whatever the caller set; only fill in what is unset, and only on a machine with local indexes.
  if (process.env.PIP_INDEX_URL || !existsSync('/opt/pypi/simple')) return {};
  const env: Record<string, string> = { PIP_INDEX_URL: 'file:///opt/pypi/simple' };
  if (!process.env.PIP_EXTRA_INDEX_URL && existsSync('/opt/pypi-more/simple')) env.PIP_EXTRA_INDEX_URL = 'file:///opt/pypi-more/simple';
  if (!process.env.PIP_RETRIES) env.PIP_RETRIES = '0';
  return env;
}

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Emulator and e2e tests spawn real Python and Node processes on a shared 2-core machine.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
    env: {
      // As in bin/coldbench.js: the AWS SDK's notice about future Node versions is noise here.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      // Every `node bin/coldbench.js` a test spawns runs the current src/ through tsx, never a stale dist/.
      COLDBENCH_FROM_SRC: '1',
      // A calibration in this machine's cache (`coldbench calibrate`) must not add estimate columns to the reports tests compare exactly.
      COLDBENCH_CALIBRATION: 'off',
      ...pipEnv(),
    },
  },
});
