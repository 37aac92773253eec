/**
 * The in-environment part of the Runtime API. On Lambda the Runtime API server (Rapid) runs inside
 * the execution environment, so handing the event over and taking the answer count against the
 * function's CPU share; a 128 MB Node hello waits for the next CPU period on almost every cold
 * invoke (lambda-perf: 11.7 ms at 128 MB, 3.1 ms at 1024 MB). The emulator's Runtime API server
 * runs in the emulator's own process, outside every environment's cgroup, so each throttled
 * environment gets a relay (spawner.py's `_relay`) in its cpu cgroup: the runtime talks to the
 * relay, the relay to the environment's server. docs/cpu-model.md has the measurements.
 */
import type { Launcher } from './launcher.ts';

/** Whether environments get a relay, and the clause `emulator.cpu.reason` adds about it. */
export interface RelayMode {
  enabled: boolean;
  reason: string;
}

/** A relay only where the CPU share is enforced: unthrottled, it would only add a hop. */
export function relayMode(throttled: boolean, launcher: Launcher, env: NodeJS.ProcessEnv = process.env): RelayMode {
  if (!throttled) return { enabled: false, reason: 'the Runtime API is served directly (unthrottled)' };
  if (env.COLDBENCH_RUNTIME_API_RELAY === 'off') {
    return { enabled: false, reason: 'the Runtime API runs outside the CPU share (COLDBENCH_RUNTIME_API_RELAY=off)' };
  }
  if (!launcher.startRelay) {
    return { enabled: false, reason: `the Runtime API runs outside the CPU share: its relay needs the spawner helper (python3), and environments are ${launcher.kind}` };
  }
  return { enabled: true, reason: "the Runtime API's in-environment work is relayed inside each environment's CPU share, as Rapid's is on Lambda" };
}
