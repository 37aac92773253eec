/**
 * COLDBENCH_PIP_ARGS: extra pip arguments the user adds to every pip coldbench runs (suite
 * builds, the emulator's boto3 build, calibration probes), after a suite's own `pip.args`.
 * Otherwise pip runs exactly as the user configured it (PIP_INDEX_URL, pip.conf, …). Any layer
 * may import this module (it imports nothing).
 * @example extraPipArgs({ COLDBENCH_PIP_ARGS: '--no-cache-dir  --prefer-binary' }) // → ['--no-cache-dir', '--prefer-binary']
 */
export function extraPipArgs(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env.COLDBENCH_PIP_ARGS ?? '').split(/\s+/).filter(Boolean);
}
