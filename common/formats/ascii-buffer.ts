/** A growing ASCII buffer: the body of a 16384² soup is tens of MB, too many strings to concatenate. */
export class AsciiBuffer {
  #bytes = new Uint8Array(1 << 16);
  #length = 0;

  push(byte: number): void {
    if (this.#length === this.#bytes.length) this.#grow(1);
    this.#bytes[this.#length++] = byte;
  }

  /** Appends the decimal digits of a positive integer. */
  pushNumber(value: number): void {
    const digits = decimalLength(value);
    if (this.#length + digits > this.#bytes.length) this.#grow(digits);
    for (let i = this.#length + digits - 1; i >= this.#length; i--) {
      this.#bytes[i] = 48 + (value % 10);
      value = Math.floor(value / 10);
    }
    this.#length += digits;
  }

  toString(): string {
    return new TextDecoder().decode(this.#bytes.subarray(0, this.#length));
  }

  #grow(extra: number): void {
    const next = new Uint8Array(Math.max(this.#bytes.length * 2, this.#length + extra));
    next.set(this.#bytes.subarray(0, this.#length));
    this.#bytes = next;
  }
}

export function decimalLength(value: number): number {
  let digits = 1;
  while (value >= 10) {
    value = Math.floor(value / 10);
    digits++;
  }
  return digits;
}
