import { closeSync, openSync, readFileSync, readSync, readdirSync } from 'node:fs';

const MB = 1024 * 1024;

/**
 * Reads VmHWM/VmRSS through file descriptors kept open per process: /proc status files are
 * regenerated on every read at offset 0, and this saves an open and a close (and a string) per
 * invoke on the warm path.
 */
export class StatusReader {
  private readonly fds = new Map<number, number>();
  private readonly buf = Buffer.allocUnsafe(8192);

  /** Sum of `field` over `pids`, in bytes; processes that are gone count 0. */
  sum(pids: number[], field: 'VmHWM' | 'VmRSS'): number {
    let total = 0;
    for (const pid of pids) total += this.read(pid, field);
    return total;
  }

  private read(pid: number, field: 'VmHWM' | 'VmRSS'): number {
    try {
      let fd = this.fds.get(pid);
      if (fd === undefined) {
        fd = openSync(`/proc/${pid}/status`, 'r');
        this.fds.set(pid, fd);
      }
      const n = readSync(fd, this.buf, 0, this.buf.length, 0);
      const at = this.buf.indexOf(`${field}:`, 0, 'latin1');
      if (at < 0 || at >= n) return 0;
      return parseInt(this.buf.toString('latin1', at + field.length + 1, Math.min(at + field.length + 40, n)), 10) * 1024;
    } catch {
      this.forget(pid);
      return 0;
    }
  }

  /** Closes descriptors of processes not in `keep`. */
  retain(keep: number[]): void {
    for (const pid of this.fds.keys()) if (!keep.includes(pid)) this.forget(pid);
  }

  private forget(pid: number): void {
    const fd = this.fds.get(pid);
    this.fds.delete(pid);
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        // already closed
      }
    }
  }

  close(): void {
    this.retain([]);
  }
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
