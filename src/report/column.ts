/** A growable column of doubles: 8 bytes a value, so a million samples cost megabytes, not objects. */
export class Column {
  private data = new Float64Array(64);
  length = 0;

  push(value: number): void {
    if (this.length === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = value;
  }

  /** The values in arrival order (a view: do not keep it past the next push). */
  view(): Float64Array {
    return this.data.subarray(0, this.length);
  }

  /** A sorted copy. */
  sorted(): Float64Array {
    const copy = this.data.slice(0, this.length);
    copy.sort();
    return copy;
  }
}
