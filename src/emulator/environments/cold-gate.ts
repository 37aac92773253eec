/**
 * Admission for cold starts. The machine's cores are shared by every environment, so the pool
 * never runs more cold starts (init plus the first invoke) at once than there are cores to give
 * them: the rest wait, unspawned, for a slot. Init Duration and Duration are measured after
 * the wait, so contention between cold starts does not leak into either; only the caller's wall
 * time includes it. Warm invokes never wait here.
 */
export class ColdStartGate {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  /** @param slots cold starts at once; Infinity lets every one through */
  constructor(readonly slots: number) {}

  /** Resolves when a slot is free; the caller must call release() exactly once afterwards. */
  acquire(): Promise<void> {
    if (this.active < this.slots) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    // The slot passes straight to the next waiter, so `active` stays the same.
    if (next) next();
    else this.active--;
  }

  /** Cold starts waiting for a slot now. */
  get queued(): number {
    return this.waiting.length;
  }
}
