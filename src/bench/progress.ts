/**
 * Progress on stderr: one rewritten status line on a TTY (phase, variant, done / planned,
 * elapsed, ETA), plain lines otherwise, nothing with --quiet. Receives its clock and writer.
 */

export interface Progress {
  /** A new phase: packaging, deploying, driving, cleanup */
  phase(name: string): void;
  /** Samples done / planned for the run, and the variant being measured */
  update(variant: string, done: number, planned: number): void;
  /** A message that must stay on screen */
  line(text: string): void;
  /** Clears the status line */
  end(): void;
}

function clock(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** Progress that writes to `write` (stderr in the CLI). */
export function createProgress(options: { write: (text: string) => void; isTTY: boolean; quiet: boolean; now?: () => number }): Progress {
  const now = options.now ?? Date.now;
  const started = now();
  let phase = '';
  let status = '';
  let lastPlainAt = -Infinity;
  let lastPlainVariant = '';
  /** Plain (non-TTY) progress lines at most this often, so CI logs stay readable. */
  const PLAIN_INTERVAL_MS = 5_000;
  const clear = () => {
    if (options.isTTY && status) options.write('\r\x1b[2K');
    status = '';
  };
  return {
    phase(name) {
      if (options.quiet) return;
      phase = name;
      clear();
      options.write(`${name}…\n`);
    },
    update(variant, done, planned) {
      if (options.quiet) return;
      const elapsed = now() - started;
      const eta = done > 0 && done < planned ? ` · ETA ${clock((elapsed / done) * (planned - done))}` : '';
      const text = `${phase} ${variant}  ${done}/${planned} samples  ${clock(elapsed)} elapsed${eta}`;
      if (options.isTTY) {
        status = text;
        options.write(`\r\x1b[2K${text}`);
      } else if (variant !== lastPlainVariant || now() - lastPlainAt >= PLAIN_INTERVAL_MS || done === planned) {
        lastPlainAt = now();
        lastPlainVariant = variant;
        options.write(`${text}\n`);
      }
    },
    line(text) {
      if (options.quiet) return;
      const saved = status;
      clear();
      options.write(`${text}\n`);
      if (saved && options.isTTY) {
        status = saved;
        options.write(saved);
      }
    },
    end() {
      clear();
    },
  };
}
