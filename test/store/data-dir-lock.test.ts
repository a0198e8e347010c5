// The embedded database belongs to one process: a second one is refused with the holder's name, and
// the lock dies with its holder (even on SIGKILL), so a crash never leaves the data directory locked.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../../bin/clearinghouse.js', import.meta.url));
const home = mkdtempSync(join(tmpdir(), 'ch-lock-'));
const env = { ...process.env, CLEARINGHOUSE_HOME: home, DATABASE_URL: '', PORT: '0' };
const children: ChildProcess[] = [];

afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(home, { recursive: true, force: true });
});

function startServer(): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, 'serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let err = '';
    child.stderr!.on('data', (d) => {
      err += d;
      if (err.includes('listening on')) resolve(child);
    });
    child.on('exit', (code) => reject(new Error(`server exited ${code}: ${err}`)));
  });
}

function runOnce(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

describe('one process per embedded database', () => {
  it('refuses a second process, naming the holder, and frees the directory when the holder is killed', async () => {
    const first = await startServer();
    const second = await runOnce(['serve']);
    expect(second.code).not.toBe(0);
    expect(second.stderr).toContain(`in use by process ${first.pid}`);
    expect(second.stderr).toContain('serve');
    expect(second.stderr.trim().split('\n')).toHaveLength(1);
    const init = await runOnce(['init']);
    expect(init.code).not.toBe(0);
    expect(init.stderr).toContain(`process ${first.pid}`);

    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    const again = await startServer();
    expect(again.pid).toBeGreaterThan(0);
    again.kill('SIGTERM');
    await new Promise((r) => again.once('exit', r));
  }, 60_000);
});
