/**
 * Compensated summation (Neumaier's variant of Kahan's): the running error of each addition is kept and
 * added back at the end, so a sum of many terms is as exact as one rounding. Used where the grid path
 * (240,000 values a column) and the event path (~1,000 runs) must agree to the 12th digit.
 */
export class CompensatedSum {
  private sum = 0;
  private comp = 0;

  add(x: number): void {
    const t = this.sum + x;
    this.comp += Math.abs(this.sum) >= Math.abs(x) ? this.sum - t + x : x - t + this.sum;
    this.sum = t;
  }

  get value(): number {
    return this.sum + this.comp;
  }
}
