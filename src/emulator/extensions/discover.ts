/**
 * External extensions as Lambda finds them: every executable file directly under /opt/extensions,
 * where /opt is the function's layers extracted over each other (a later layer's file of the same
 * name wins). Locally /opt is not at /opt: each layer is its own folder.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Lambda's limit on extensions per function (external and internal together). */
export const MAX_EXTENSIONS = 10;

const EXECUTABLE_BITS = 0o111;

export interface ExternalExtension {
  /** The file name: what the extension must send as Lambda-Extension-Name */
  name: string;
  /** Where it is on this machine */
  path: string;
}

/** The executables under `extensions/` of the layers, in file-name order (Lambda starts them in that order). */
export function discoverExtensions(layerDirs: string[]): ExternalExtension[] {
  const byName = new Map<string, string>();
  for (const layer of layerDirs) {
    const dir = join(layer, 'extensions');
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names) {
      const path = join(dir, name);
      try {
        const st = statSync(path);
        if (st.isFile() && (st.mode & EXECUTABLE_BITS) !== 0) byName.set(name, path);
        else byName.delete(name);
      } catch {
        // A dangling link is no extension, and it still replaces an earlier layer's file of that name in /opt.
        byName.delete(name);
      }
    }
  }
  return [...byName.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([name, path]) => ({ name, path }));
}

/** Variables Lambda sets for the runtime process only, not for extensions (AWS's Extensions API page). */
const RUNTIME_ONLY_VARIABLES = [
  'AWS_EXECUTION_ENV',
  'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_XRAY_CONTEXT_MISSING',
  'AWS_XRAY_DAEMON_ADDRESS',
  'LAMBDA_RUNTIME_DIR',
  'LAMBDA_TASK_ROOT',
  '_AWS_XRAY_DAEMON_ADDRESS',
  '_AWS_XRAY_DAEMON_PORT',
  '_HANDLER',
  // The local runtime's module paths: an extension runs its own interpreter, not the function's.
  'PYTHONPATH',
  'NODE_PATH',
];

/** The environment an extension process sees: the runtime's, less what Lambda keeps for the runtime. */
export function extensionEnvironment(runtimeEnv: Record<string, string>): Record<string, string> {
  const env = { ...runtimeEnv };
  for (const key of RUNTIME_ONLY_VARIABLES) delete env[key];
  return env;
}
