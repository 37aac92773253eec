import { readFileSync, readdirSync } from 'node:fs';

const MB = 1024 * 1024;

function statusField(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'latin1');
    const at = status.indexOf(`${field}:`);
    if (at < 0) return 0;
    return parseInt(status.slice(at + field.length + 1), 10) * 1024;
  } catch {
    return 0;
  }
}

/** Peak RSS (VmHWM) summed over the processes of a tree, in bytes. */
export function peakRssBytes(pids: number[]): number {
  let total = 0;
  for (const pid of pids) total += statusField(pid, 'VmHWM');
  return total;
}

/** Current RSS summed over the processes of a tree, in bytes. */
export function currentRssBytes(pids: number[]): number {
  let total = 0;
  for (const pid of pids) total += statusField(pid, 'VmRSS');
  return total;
}

/** Lambda reports Max Memory Used in whole MB, rounded up. */
export function toMB(bytes: number): number {
  return Math.ceil(bytes / MB);
}

/**
 * Members of a process group, found by scanning /proc (used only without a memory cgroup, and
 * only now and then: it reads one file per process on the machine).
 */
export function processGroupMembers(pgid: number): number[] {
  const found: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [pgid];
  }
  for (const name of entries) {
    const c = name.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'latin1');
      // Fields after the parenthesised command: state ppid pgrp …
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(rest[2]) === pgid) found.push(Number(name));
    } catch {
      // exited meanwhile
    }
  }
  return found.length ? found : [pgid];
}
