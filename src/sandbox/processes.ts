// Seeing a sandbox's processes from the host. They are exactly the processes in its PID namespace (bwrap reports
// the namespace's inode), found by scanning /proc: this kernel has no /proc/PID/task/TID/children, and a process
// that re-parents itself cannot leave a namespace.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** Host PIDs of the live (non-zombie) processes in the PID namespace with this inode. */
export function processesInNamespace(pidNamespace: number): number[] {
  const want = `pid:[${pidNamespace}]`;
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readlinkSync(`/proc/${name}/ns/pid`) === want && !isZombie(name)) found.push(Number(name));
    } catch {
      /* exited meanwhile, or not ours to inspect */
    }
  }
  return found;
}

// A zombie still shows its PID namespace but holds no memory and runs nothing. (bwrap's own init, when used, is
// often one: bwrap learns the exit status through a pipe and exits without reaping it.)
function isZombie(pid: string): boolean {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  return state === 'Z' || state === 'X';
}

/** Summed resident memory of these processes, in bytes (shared pages count once per process: an overestimate). */
export function residentBytes(pids: number[]): number {
  let kib = 0;
  for (const pid of pids) {
    try {
      kib += Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
    } catch {
      /* exited meanwhile */
    }
  }
  return kib * 1024;
}

export function killQuietly(pid: number, signal: NodeJS.Signals = 'SIGKILL'): void {
  try {
    process.kill(pid, signal);
  } catch {
    /* already gone */
  }
}

/** Waits until nothing is left in the namespace, or the deadline passes; true when it emptied. */
export async function waitNamespaceEmpty(pidNamespace: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  // The init is usually a few milliseconds from done when bwrap exits: look again soon, then less often.
  for (let pause = 1; ; pause = Math.min(pause * 2, 50)) {
    const left = processesInNamespace(pidNamespace);
    if (left.length === 0) return true;
    if (Date.now() >= deadline) return false;
    // Normally the namespace's init takes everyone with it; a straggler is shot directly.
    for (const pid of left) killQuietly(pid);
    await new Promise((resolve) => setTimeout(resolve, pause));
  }
}
