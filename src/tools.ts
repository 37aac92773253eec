/**
 * What coldbench says when an outside tool it runs is missing: which of its features need the
 * tool, how to install it, and what still works without it. One wording for every layer (the
 * emulator, packaging, the profiler), so a user reads the same advice wherever it comes up.
 */
export type OutsideTool = 'python3' | 'pip' | 'openssl';

const TOOLS: Record<OutsideTool, { needs: string; install: string; without: string }> = {
  python3: {
    needs: "the python3.x functions, pip installs of their requirements, and the emulator's process spawner need it",
    install: 'install Python 3 (apt install python3 / brew install python / python.org)',
    without: 'or benchmark Node functions only (the emulator then spawns environments directly)',
  },
  pip: {
    needs: "Python functions with requirements and the emulator's boto3 for Python functions need it",
    install: 'install pip for python3 (apt install python3-pip / python3 -m ensurepip --upgrade / brew install python)',
    without: 'or benchmark functions without Python dependencies',
  },
  openssl: {
    needs: "the emulator's HTTPS endpoint for functions' AWS SDK calls needs it to make its certificate",
    install: 'install OpenSSL (apt install openssl / brew install openssl)',
    without: 'without it functions call the emulator over plain HTTP and the TLS handshake a per-call client pays on Lambda is left out',
  },
};

/**
 * The message for a missing tool.
 * @example missingToolMessage('python3')
 * // → "python3 not found: the python3.x functions, … need it; install Python 3 (apt install python3 / …) or benchmark Node functions only (…)"
 */
export function missingToolMessage(tool: OutsideTool, detail?: string): string {
  const t = TOOLS[tool];
  return `${tool} not found${detail ? ` (${detail})` : ''}: ${t.needs}; ${t.install}${t.without.startsWith('or ') ? ' ' : '; '}${t.without}`;
}

/** Whether a spawn error means the command itself is not there (ENOENT), not that it failed. */
export function isNotFound(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}
