/**
 * Ordering and cold-start inference shared by the Google Cloud and Azure assemblers.
 *
 * Exports are not in time order (gcloud prints newest first; merged streams interleave), so
 * records are ordered by timestamp inside a bounded window before they are assembled.
 */

/** Records held back for ordering. gcloud's newest-first output is reordered whole up to this size; memory stays bounded beyond it. */
export const REORDER_WINDOW = 100_000;

/** A record waiting for its turn: `rank` orders records with the same timestamp (instance starts first, execution ends last). */
export interface Ordered {
  ts: number | null;
  rank: number;
}

interface Held<T> {
  item: T;
  key: number;
  rank: number;
  seq: number;
}

/**
 * Releases records in (timestamp, rank, arrival) order once more than REORDER_WINDOW are held.
 * A record without a timestamp sorts with the record before it, so plain text keeps its order.
 */
export class ReorderBuffer<T extends Ordered> {
  private held: Held<T>[] = [];
  private seq = 0;
  private lastKey = Number.NEGATIVE_INFINITY;
  private lastRank = 0;

  constructor(private readonly window = REORDER_WINDOW) {}

  push(item: T): T[] {
    if (item.ts !== null) {
      this.lastKey = item.ts;
      this.lastRank = item.rank;
    }
    // Without a time, a record takes its predecessor's place (time and rank) and sorts right after it.
    this.held.push({ item, key: this.lastKey, rank: this.lastRank, seq: this.seq++ });
    if (this.held.length <= this.window) return [];
    this.sort();
    const release = this.held.splice(0, this.held.length - Math.floor(this.window / 2));
    return release.map((h) => h.item);
  }

  drain(): T[] {
    this.sort();
    const out = this.held.map((h) => h.item);
    this.held = [];
    return out;
  }

  private sort(): void {
    this.held.sort((a, b) => a.key - b.key || a.rank - b.rank || a.seq - b.seq);
  }
}

/** What an execution learns when it claims its instance. */
export interface Claim {
  cold: boolean;
  initMs: number | null;
}

/**
 * Per-instance cold-start state: the first execution on an instance after it started is cold.
 * An instance "started" when a start record names it, or, when records carry instance ids, the
 * first time an id is seen. Records without an instance id share one anonymous queue: each
 * start record makes the next execution cold (N starts → the next N executions).
 */
export class InstanceTracker {
  private readonly pending = new Map<string, Array<{ initMs: number | null }>>();
  private readonly seen = new Set<string>();

  /** An instance (or host) start; `instance` null = the log does not say which. */
  started(instance: string | null, initMs: number | null = null): void {
    const key = instance ?? '';
    if (instance !== null) {
      // A restart of a known instance replaces the start that nothing has claimed yet.
      this.seen.add(key);
      this.pending.set(key, [{ initMs }]);
      return;
    }
    const queue = this.pending.get(key) ?? [];
    queue.push({ initMs });
    this.pending.set(key, queue);
  }

  /** Sets the init time of the newest unclaimed start of `instance` (Azure's `Host started (329ms)` comes after `Starting Host`). */
  setInit(instance: string | null, initMs: number): boolean {
    const queue = this.pending.get(instance ?? '');
    const last = queue?.[queue.length - 1];
    if (!last) return false;
    last.initMs = initMs;
    return true;
  }

  /** True while a start of `instance` waits for its first execution. */
  hasPending(instance: string | null): boolean {
    return (this.pending.get(instance ?? '')?.length ?? 0) > 0;
  }

  /** Called once per execution, at its start: cold when it is the first after a start. */
  claim(instance: string | null): Claim {
    const key = instance ?? '';
    const start = this.pending.get(key)?.shift();
    if (start) {
      if (instance !== null) this.seen.add(key);
      return { cold: true, initMs: start.initMs };
    }
    if (instance !== null && !this.seen.has(key)) {
      this.seen.add(key);
      return { cold: true, initMs: null };
    }
    return { cold: false, initMs: null };
  }
}

/** Ids remembered to count a repeated execution once; the oldest are forgotten past this, so memory stays flat. */
export const MAX_REMEMBERED_IDS = 200_000;

/**
 * A set that forgets its oldest keys past about `max` (repeats come from overlapping exports,
 * close together). Two generations instead of deleting one key at a time: deleting from the
 * front of a JS Set leaves holes that every later "oldest key" lookup walks over.
 */
export class BoundedSet {
  private current = new Set<string>();
  private previous = new Set<string>();

  constructor(private readonly max = MAX_REMEMBERED_IDS) {}

  has(key: string): boolean {
    return this.current.has(key) || this.previous.has(key);
  }

  add(key: string): void {
    this.current.add(key);
    if (this.current.size >= this.max / 2) {
      this.previous = this.current;
      this.current = new Set();
    }
  }

  delete(key: string): boolean {
    return this.current.delete(key) || this.previous.delete(key);
  }
}

/** Executions started but not yet ended that are tracked at once; a log cut mid-flight leaves some that never end. */
export const MAX_OPEN_EXECUTIONS = 10_000;

/** Sets `key` in `map`, forgetting the oldest entry past MAX_OPEN_EXECUTIONS so memory stays flat. */
export function setBounded<V>(map: Map<string, V>, key: string, value: V): void {
  if (map.size >= MAX_OPEN_EXECUTIONS && !map.has(key)) map.delete(map.keys().next().value as string);
  map.set(key, value);
}
