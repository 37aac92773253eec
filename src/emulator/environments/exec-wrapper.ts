/**
 * AWS_LAMBDA_EXEC_WRAPPER, as Lambda applies it to managed runtimes: when the function's
 * environment names a wrapper script, the runtime's command line is passed to that script as its
 * arguments (`wrapper <interpreter> <args…>`) instead of being run directly. A path under /opt/
 * resolves against the function's layers, as they would be extracted there (later layers win).
 * Added for `coldbench profile` (issue #7), which traces imports through a wrapper.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const EXEC_WRAPPER_VAR = 'AWS_LAMBDA_EXEC_WRAPPER';

export type WrappedLaunch = { ok: true; command: string; args: string[]; env: Record<string, string> } | { ok: false; errorType: string; message: string };

/** Where a wrapper path points on this machine: `/opt/x` → the last layer that has `x`. */
export function resolveWrapperPath(path: string, layerDirs: string[]): string | null {
  if (path.startsWith('/opt/')) {
    const rel = path.slice('/opt/'.length);
    for (const layer of [...layerDirs].reverse()) if (existsSync(join(layer, rel))) return join(layer, rel);
  }
  return existsSync(path) ? path : null;
}

/**
 * Routes a managed runtime's launch through the exec wrapper named in its environment; returns
 * the launch unchanged when none is set.
 * @example applyExecWrapper({ ok: true, command: '/usr/bin/python3', args: ['-I', 'bootstrap.py'], env: { AWS_LAMBDA_EXEC_WRAPPER: '/w.sh' } }, [])
 * // → { ok: true, command: '/w.sh', args: ['/usr/bin/python3', '-I', 'bootstrap.py'], env: … }
 */
export function applyExecWrapper(launch: WrappedLaunch, layerDirs: string[]): WrappedLaunch {
  if (!launch.ok) return launch;
  const wrapper = launch.env[EXEC_WRAPPER_VAR];
  if (!wrapper) return launch;
  const resolved = resolveWrapperPath(wrapper, layerDirs);
  if (!resolved) {
    return { ok: false, errorType: 'Runtime.InvalidEntrypoint', message: `${EXEC_WRAPPER_VAR} ${wrapper}: no such file in the function's layers or on this machine` };
  }
  return { ok: true, command: resolved, args: [launch.command, ...launch.args], env: launch.env };
}
