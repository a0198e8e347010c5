// Background integration of the transparency log: picks up entries that other processes committed, or
// that a request could not integrate, so every committed entry reaches a signed checkpoint within a second.
import type { TransparencyLog } from '../services/transparency-log.js';

export interface Job {
  stop(): Promise<void>;
}

export function startLogIntegrator(log: TransparencyLog, options: { intervalMs?: number; onError?: (err: unknown) => void } = {}): Job {
  let running: Promise<void> | null = null;
  const tick = () => {
    if (running) return;
    running = (async () => {
      if (await log.hasPending()) await log.integrate();
    })()
      .catch((err) => options.onError?.(err))
      .finally(() => {
        running = null;
      });
  };
  const timer = setInterval(tick, options.intervalMs ?? 1000);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
