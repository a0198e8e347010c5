// Whether an executable carries a sanitizer runtime that reserves terabytes of shadow memory (ASan, MSan, TSan,
// HWASan), which RLIMIT_DATA/RLIMIT_AS would break. The runtime's init symbol is named in the dynamic symbol table
// whether it is linked statically (clang) or as libasan.so (gcc), so a byte search of the file finds it.
import { open, stat } from 'node:fs/promises';

const markers = ['__asan_init', '__msan_init', '__tsan_init', '__hwasan_init'].map((m) => Buffer.from(m));
const overlap = Math.max(...markers.map((m) => m.length));

// Targets are large and run many times: remember the answer per file version.
const cache = new Map<string, boolean>();

export async function hasSanitizerRuntime(hostPath: string): Promise<boolean> {
  const info = await stat(hostPath);
  const key = `${info.dev}:${info.ino}:${info.size}:${info.mtimeMs}`;
  const known = cache.get(key);
  if (known !== undefined) return known;
  const file = await open(hostPath, 'r');
  let found = false;
  try {
    const chunk = Buffer.alloc(1 << 20);
    let carry = Buffer.alloc(0);
    for (let position = 0; !found; ) {
      const { bytesRead } = await file.read(chunk, 0, chunk.length, position);
      if (bytesRead === 0) break;
      position += bytesRead;
      const window = Buffer.concat([carry, chunk.subarray(0, bytesRead)]);
      found = markers.some((m) => window.includes(m));
      carry = window.subarray(Math.max(0, window.length - overlap));
    }
  } finally {
    await file.close();
  }
  cache.set(key, found);
  return found;
}
