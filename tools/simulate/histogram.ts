/** Relative width of a bucket: quantiles are exact to within 1%. */
const GROWTH = 1.02;
/** Values below this (in the unit recorded, seconds here) share the first bucket. */
const SMALLEST = 0.001;
const BUCKETS = 1400;
const LOG_GROWTH = Math.log(GROWTH);

/**
 * A weighted histogram of non-negative values in log-spaced buckets: the simulator records thousands of
 * requests at once as one weighted value, so its memory stays fixed whatever the trace's length or traffic.
 */
export class WeightedHistogram {
    private readonly counts = new Float64Array(BUCKETS);
    /** Total weight recorded. */
    count = 0;
    /** Largest value recorded (exact); 0 when empty. */
    max = 0;
    private sum = 0;
    // Most requests of a model record the same value step after step: its bucket is remembered.
    private lastValue = -1;
    private lastIndex = 0;

    /** Records `weight` requests (fractional weights are fine) that each took `value`. */
    add(value: number, weight: number): void {
        if (!(weight > 0) || !Number.isFinite(value)) return;
        const v = Math.max(0, value);
        const i =
            v === this.lastValue
                ? this.lastIndex
                : v < SMALLEST
                  ? 0
                  : Math.min(BUCKETS - 1, 1 + Math.floor(Math.log(v / SMALLEST) / LOG_GROWTH));
        this.lastValue = v;
        this.lastIndex = i;
        this.counts[i] += weight;
        this.count += weight;
        this.sum += v * weight;
        if (v > this.max) this.max = v;
    }

    /** The value below which a share `q` (0-1) of the weight lies; `undefined` when nothing was recorded. */
    quantile(q: number): number | undefined {
        if (this.count <= 0) return undefined;
        const rank = q * this.count;
        let seen = 0;
        for (let i = 0; i < BUCKETS; i++) {
            seen += this.counts[i];
            if (seen >= rank && this.counts[i] > 0) {
                // The bucket's geometric middle, never above the largest value seen.
                const mid = i === 0 ? 0 : SMALLEST * GROWTH ** (i - 0.5);
                return Math.min(mid, this.max);
            }
        }
        return this.max;
    }

    /** The weight recorded at or below `limit`. */
    countAtMost(limit: number): number {
        let n = 0;
        for (let i = 0; i < BUCKETS; i++) {
            const upper = i === 0 ? SMALLEST : SMALLEST * GROWTH ** i;
            if (upper > limit * GROWTH) break;
            n += this.counts[i];
        }
        return Math.min(n, this.count);
    }

    /** The mean; `undefined` when nothing was recorded. */
    mean(): number | undefined {
        return this.count > 0 ? this.sum / this.count : undefined;
    }

    /** Adds another histogram's records to this one. */
    merge(other: WeightedHistogram): void {
        for (let i = 0; i < BUCKETS; i++) this.counts[i] += other.counts[i];
        this.count += other.count;
        this.sum += other.sum;
        this.max = Math.max(this.max, other.max);
    }
}
