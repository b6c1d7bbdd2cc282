/**
 * Token buckets: `rate` tokens per second up to `burst`; each request takes one. A bucket is a
 * plain object so it can live in a WebSocket attachment and survive hibernation.
 */
export interface Bucket {
  tokens: number;
  at: number; // ms since the epoch of the last refill
}

export function fullBucket(burst: number, now: number): Bucket {
  return { tokens: burst, at: now };
}

/** Refills `bucket` for the time elapsed and takes a token if there is one. */
export function take(bucket: Bucket, rate: number, burst: number, now: number): boolean {
  const elapsed = Math.max(0, now - bucket.at) / 1000;
  bucket.tokens = Math.min(burst, bucket.tokens + elapsed * rate);
  bucket.at = now;
  if (bucket.tokens < 1) return false;
  bucket.tokens -= 1;
  return true;
}

/** Buckets by client address, in memory, forgetting the least recently used beyond `capacity`
 *  (forgetting only makes a limit more lenient). */
export class AddressLimiter {
  readonly #buckets = new Map<string, Bucket>();

  constructor(
    readonly rate: number,
    readonly burst: number,
    readonly capacity: number,
  ) {}

  allow(address: string, now = Date.now()): boolean {
    let bucket = this.#buckets.get(address);
    if (bucket) this.#buckets.delete(address);
    else bucket = fullBucket(this.burst, now);
    this.#buckets.set(address, bucket); // re-insert: Map order is recency
    if (this.#buckets.size > this.capacity) {
      const oldest = this.#buckets.keys().next().value;
      if (oldest !== undefined) this.#buckets.delete(oldest);
    }
    return take(bucket, this.rate, this.burst, now);
  }
}
