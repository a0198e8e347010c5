// The background worker loop: takes queued jobs one at a time, polling when the queue is empty.
import type { JobService } from '../services/jobs.js';

export interface Worker {
  /** Wakes the loop now (after enqueueing), instead of at the next poll. */
  poke(): void;
  stop(): Promise<void>;
}

export function startWorker(jobs: JobService, options: { pollMs?: number; onError?: (err: unknown) => void } = {}): Worker {
  let stopped = false;
  let wake: (() => void) | null = null;
  const loop = (async () => {
    while (!stopped) {
      let ran = false;
      try {
        ran = await jobs.runOne();
      } catch (err) {
        options.onError?.(err);
      }
      if (ran || stopped) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, options.pollMs ?? 500);
        timer.unref();
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = null;
    }
  })();
  return {
    poke: () => wake?.(),
    async stop() {
      stopped = true;
      wake?.();
      await loop;
    },
  };
}
