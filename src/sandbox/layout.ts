// The sandbox's file system and the bwrap command line that builds it. Everything is read-only except /scratch
// (the caller's directory, the one place whose writes persist) and two size-capped tmpfs (/tmp, /dev/shm) whose
// contents vanish with the run. The root itself is a tmpfs that bwrap remounts read-only once the mount points
// exist, so writes anywhere else fail with EROFS.
import { lstatSync, readlinkSync } from 'node:fs';
import { posix } from 'node:path';

export const scratchInside = '/scratch';

export interface Bind {
  host: string;
  inside: string;
}

// The host's own top-level system directories: bound as they are, or (merged /usr) recreated as the same symlinks.
const systemTopLevel = ['/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'];

// Only what the dynamic loader, libc name lookup and time zones read; no secrets (/etc/shadow) and no host
// configuration that would be meaningless without a network.
const etcFiles = [
  '/etc/ld.so.cache',
  '/etc/ld.so.conf',
  '/etc/ld.so.conf.d',
  '/etc/passwd',
  '/etc/group',
  '/etc/nsswitch.conf',
  '/etc/host.conf',
  '/etc/hosts',
  '/etc/gai.conf',
  '/etc/localtime',
  '/etc/alternatives',
];

// Places a caller's bind may not cover: the sandbox's own mounts, and read-only trees a mount point cannot be made in.
const reservedInside = ['/proc', '/dev', '/usr', '/etc', scratchInside, ...systemTopLevel];

/** Why a bind's inside path is unusable, or null. */
export function badInsidePath(inside: string): string | null {
  if (!posix.isAbsolute(inside)) return `inside path "${inside}" must be absolute`;
  const normal = posix.normalize(inside).replace(/\/+$/, '');
  if (normal === '') return 'a bind cannot cover the sandbox root';
  const clash = reservedInside.find((r) => normal === r || normal.startsWith(`${r}/`));
  return clash ? `inside path "${inside}" is within ${clash}, which the sandbox manages itself` : null;
}

function systemMounts(): string[] {
  const args = ['--ro-bind', '/usr', '/usr'];
  for (const dir of systemTopLevel) {
    try {
      const info = lstatSync(dir);
      if (info.isSymbolicLink()) args.push('--symlink', readlinkSync(dir), dir);
      else if (info.isDirectory()) args.push('--ro-bind', dir, dir);
    } catch {
      /* not on this host */
    }
  }
  for (const file of etcFiles) args.push('--ro-bind-try', file, file);
  return args;
}

export interface LayoutOptions {
  binds: Bind[];
  scratchDir: string;
  cwd: string;
  tmpBytes: number;
  /** fd on which bwrap writes JSON status lines (child PID, namespace inodes, exit code). */
  statusFd: number;
  /** Run the command as the PID namespace's init instead of under bwrap's (see bubblewrap.ts). */
  asPid1: boolean;
  env: Record<string, string>;
}

/** bwrap options (everything before `--` and the command). */
export function bwrapOptions(o: LayoutOptions): string[] {
  const tmp = String(Math.floor(o.tmpBytes));
  const args = [
    // Own user namespace, unprivileged inside; no further user namespaces (a large kernel attack surface).
    '--unshare-user',
    '--disable-userns',
    '--uid', '65534',
    '--gid', '65534',
    // No network at all: a fresh network namespace has only a loopback device, and it is down.
    '--unshare-net',
    '--unshare-pid',
    '--unshare-ipc',
    '--unshare-uts',
    '--unshare-cgroup-try',
    '--hostname', 'sandbox',
    '--die-with-parent',
    // No controlling terminal: the command cannot push input into one with TIOCSTI.
    '--new-session',
    '--cap-drop', 'ALL',
    '--json-status-fd', String(o.statusFd),
    ...(o.asPid1 ? ['--as-pid-1'] : []),
    ...systemMounts(),
    '--proc', '/proc',
    '--dev', '/dev',
    '--size', tmp, '--tmpfs', '/dev/shm',
    '--size', tmp, '--tmpfs', '/tmp',
    '--bind', o.scratchDir, scratchInside,
  ];
  for (const b of o.binds) args.push('--ro-bind', b.host, b.inside);
  args.push('--remount-ro', '/dev', '--remount-ro', '/', '--chdir', o.cwd, '--clearenv');
  for (const [name, value] of Object.entries(o.env)) args.push('--setenv', name, value);
  return args;
}

/** The host file behind a path inside the sandbox, or null when it is not backed by one. */
export function hostPathOf(inside: string, binds: Bind[], scratchDir: string): string | null {
  const path = posix.normalize(inside);
  const mounts: Bind[] = [
    ...binds,
    { host: scratchDir, inside: scratchInside },
    // System trees appear at their host paths (the top-level symlinks resolve the same way on the host).
    ...['/usr', '/etc', ...systemTopLevel].map((p) => ({ host: p, inside: p })),
  ].sort((a, b) => b.inside.length - a.inside.length);
  for (const m of mounts) {
    const root = posix.normalize(m.inside).replace(/\/+$/, '');
    if (path === root) return m.host;
    if (path.startsWith(`${root}/`)) return posix.join(m.host, path.slice(root.length + 1));
  }
  return null;
}
