/**
 * Last-resort cleanup: environments run in their own process groups (so a signal to the
 * emulator does not reach them), which means nothing kills them if the emulator dies without
 * calling shutdown(). Registered pools are killed synchronously on exit and on a terminating
 * signal that nobody else handles.
 */
export interface Killable {
  killNow(): void;
}

const live = new Set<Killable>();
const SIGNALS: NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP'];
let installed = false;

function killAll(): void {
  for (const k of live) k.killNow();
}

function onSignal(signal: NodeJS.Signals): void {
  // Someone else handles this signal (the CLI calls shutdown()): leave it to them.
  if (process.listenerCount(signal) > 1) return;
  killAll();
  process.removeListener(signal, onSignal);
  process.kill(process.pid, signal);
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', killAll);
  for (const s of SIGNALS) process.on(s, onSignal);
}

/** Kills `k`'s process trees if the process exits or is signalled before `k` shuts down. */
export function registerForCleanup(k: Killable): () => void {
  install();
  live.add(k);
  return () => {
    live.delete(k);
  };
}
