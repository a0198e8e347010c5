// The background worker: `concurrency` loops, each taking one queued job at a time and polling when the
// queue is empty. The concurrency bounds how many sandboxes (and intake jobs) run at once.
import type { JobService } from '../services/jobs.js';

export interface Worker {
  /** Wakes the loop now (after enqueueing), instead of at the next poll. */
  poke(): void;
  stop(): Promise<void>;
}

export function startWorker(jobs: JobService, options: { pollMs?: number; concurrency?: number; onError?: (err: unknown) => void } = {}): Worker {
  let stopped = false;
  const wakers = new Set<() => void>();
  const loop = async () => {
    while (!stopped) {
      let ran = false;
      try {
        ran = await jobs.runOne();
      } catch (err) {
        options.onError?.(err);
      }
      if (ran || stopped) continue;
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          wakers.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, options.pollMs ?? 500);
        timer.unref();
        wakers.add(wake);
      });
    }
  };
  const loops = Array.from({ length: Math.max(1, options.concurrency ?? 1) }, () => loop());
  const wakeAll = () => [...wakers].forEach((w) => w());
  return {
    poke: wakeAll,
    async stop() {
      stopped = true;
      wakeAll();
      await Promise.all(loops);
    },
  };
}
