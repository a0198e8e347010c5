// One process per embedded database: an exclusive lock on the data directory that names its holder.
// On Linux the lock is an abstract Unix socket bound to a name derived from the directory: the kernel
// releases it the instant the holder dies (even by SIGKILL), so a stale lock cannot exist, and a second
// process can ask the holder who it is. Elsewhere a PID file with a liveness check stands in.
import { createHash } from 'node:crypto';
import { closeSync, openSync, readFileSync, realpathSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { createConnection, createServer, type Server } from 'node:net';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { AppError } from '../core/errors.js';

export interface LockHolder {
  pid: number;
  host: string;
  command: string;
  since: string;
}

export interface DataDirLock {
  readonly dir: string;
  release(): Promise<void>;
}

const infoFile = 'lock.json';

function me(): LockHolder {
  return { pid: process.pid, host: hostname(), command: process.argv.slice(1).join(' '), since: new Date().toISOString() };
}

function heldError(dir: string, holder: LockHolder | null): AppError {
  const who = holder
    ? `process ${holder.pid} on ${holder.host} (${holder.command || 'unknown command'}, since ${holder.since})`
    : 'another process';
  return new AppError('locked', `the embedded database in ${dir} is in use by ${who}; stop it, or use another CLEARINGHOUSE_HOME or a PostgreSQL server (DATABASE_URL)`);
}

function askHolder(address: string): Promise<LockHolder | null> {
  return new Promise((resolve) => {
    let text = '';
    const sock = createConnection(address);
    const done = (v: LockHolder | null) => {
      sock.destroy();
      resolve(v);
    };
    sock.setTimeout(2000, () => done(null));
    sock.on('data', (d) => (text += d.toString('utf8')));
    sock.on('end', () => {
      try {
        done(JSON.parse(text) as LockHolder);
      } catch {
        done(null);
      }
    });
    sock.on('error', () => done(null));
  });
}

async function lockWithAbstractSocket(dir: string): Promise<DataDirLock> {
  const address = `\0clearinghouse-datadir-${createHash('sha256').update(dir).digest('hex').slice(0, 40)}`;
  const holder = me();
  const server: Server = createServer((sock) => sock.end(JSON.stringify(holder)));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(address, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch(async (err: NodeJS.ErrnoException) => {
    if (err.code === 'EADDRINUSE') throw heldError(dir, await askHolder(address));
    throw err;
  });
  server.unref();
  writeFileSync(join(dir, infoFile), `${JSON.stringify(holder, null, 2)}\n`);
  return {
    dir,
    release: () =>
      new Promise<void>((resolve) => {
        try {
          unlinkSync(join(dir, infoFile));
        } catch {
          /* already gone */
        }
        server.close(() => resolve());
      }),
  };
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Portable fallback: O_EXCL creation of a PID file; a file left by a dead process on this host is taken over. */
async function lockWithPidFile(dir: string): Promise<DataDirLock> {
  const path = join(dir, infoFile);
  const holder = me();
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, `${JSON.stringify(holder, null, 2)}\n`);
      closeSync(fd);
      return { dir, release: async () => unlinkSync(path) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let existing: LockHolder | null = null;
      try {
        existing = JSON.parse(readFileSync(path, 'utf8')) as LockHolder;
      } catch {
        existing = null;
      }
      if (existing && existing.host === holder.host && !pidAlive(existing.pid)) {
        unlinkSync(path);
        continue;
      }
      throw heldError(dir, existing);
    }
  }
  throw heldError(dir, null);
}

export async function lockDataDir(dir: string): Promise<DataDirLock> {
  const real = realpathSync(dir);
  return process.platform === 'linux' ? lockWithAbstractSocket(real) : lockWithPidFile(real);
}
