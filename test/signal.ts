/**
 * The waiting half of every test client (Node `ws` clients, raw TCP attackers, the Workers
 * pool's sockets): the client calls wake() whenever something arrives, and until() re-checks its
 * condition at each wake until it holds or the time is up. Runtime-neutral (timers only).
 */
export class Signal {
  #wake: (() => void) | null = null;

  /** Something arrived: a pending until() looks again. */
  wake(): void {
    this.#wake?.();
  }

  /** Resolves once `ready()` holds (it may throw to end the wait early); after `timeoutMs`,
   *  rejects with `failure()`, which can describe what had arrived by then. */
  async until(ready: () => boolean, timeoutMs: number, failure: () => string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!ready()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(failure());
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = null;
    }
  }
}
