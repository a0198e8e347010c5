// The CLI's HTTP client: bearer token, JSON in and out, problem+json turned into one clear error.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export class ClientError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    readonly field: string | undefined,
  ) {
    super(message);
    this.name = 'ClientError';
  }
}

export interface ClientOptions {
  server: string;
  token: string | null;
}

/**
 * --token, else CLEARINGHOUSE_TOKEN, else the first admin token that `serve`/`init` wrote into the data
 * directory on this machine (so a fresh local install works without copying secrets around).
 */
export function resolveToken(flag: string | undefined, env: NodeJS.ProcessEnv, home: string): string | null {
  if (flag) return flag;
  if (env.CLEARINGHOUSE_TOKEN) return env.CLEARINGHOUSE_TOKEN;
  const file = join(home, 'admin.token');
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : null;
}

/**
 * What an upload can send. A Node stream goes to fetch as it is (an async iterable): Node 20's
 * Readable.toWeb does not apply backpressure and would read a whole file into memory first.
 */
export type UploadBody = Buffer | string | ReadableStream<Uint8Array> | NodeJS.ReadableStream;

export class Client {
  constructor(private readonly options: ClientOptions) {}

  get server(): string {
    return this.options.server.replace(/\/+$/, '');
  }

  async request<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    opts: { auth?: boolean; accept?: string; raw?: { data: UploadBody; contentType: string }; onHeaders?: (headers: Headers) => void } = {},
  ): Promise<T> {
    const headers: Record<string, string> = { accept: opts.accept ?? 'application/json' };
    if (opts.auth !== false && this.options.token) headers.authorization = `Bearer ${this.options.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (opts.raw) headers['content-type'] = opts.raw.contentType;
    let res: Response;
    try {
      const payload = opts.raw ? { body: opts.raw.data, duplex: 'half' } : body !== undefined ? { body: JSON.stringify(body) } : {};
      res = await fetch(`${this.server}${path}`, { method, headers, ...payload } as RequestInit);
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new ClientError(`cannot reach ${this.server}: ${cause?.code ?? cause?.message ?? (err as Error).message}`, null, undefined);
    }
    opts.onHeaders?.(res.headers);
    const type = res.headers.get('content-type') ?? '';
    const text = await res.text();
    if (!res.ok) {
      if (type.includes('json')) {
        try {
          const p = JSON.parse(text) as { detail?: string; title?: string; field?: string };
          const where = p.field ? ` (field ${p.field})` : '';
          throw new ClientError(`${p.detail ?? p.title ?? res.statusText}${where} [HTTP ${res.status}]`, res.status, p.field);
        } catch (err) {
          if (err instanceof ClientError) throw err;
        }
      }
      throw new ClientError(`${method} ${path} failed: HTTP ${res.status} ${text.slice(0, 200)}`, res.status, undefined);
    }
    if (type.includes('json')) return JSON.parse(text) as T;
    return text as T;
  }

  get<T = unknown>(path: string, opts?: { auth?: boolean; accept?: string }): Promise<T> {
    return this.request<T>('GET', path, undefined, opts);
  }

  post<T = unknown>(path: string, body: unknown): Promise<T> {
    return this.request<T>('POST', path, body);
  }

  put<T = unknown>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PUT', path, body);
  }

  /** Sends a document as it is (a file streams, never read whole into memory). */
  upload<T = unknown>(path: string, data: UploadBody, contentType: string, method: 'POST' | 'PUT' = 'POST'): Promise<T> {
    return this.request<T>(method, path, undefined, { raw: { data, contentType } });
  }
}

export function query(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

interface Page<T> {
  items: T[];
  nextOffset: number | null;
}

/** Follows nextOffset until the last page, so listings are complete. */
export async function listAll<T>(client: Client, path: string, params: Record<string, string | undefined>): Promise<T[]> {
  const out: T[] = [];
  let offset: number | null = 0;
  while (offset !== null) {
    const res: Page<T> = await client.get<Page<T>>(`${path}${query({ ...params, limit: 500, offset })}`);
    out.push(...res.items);
    offset = res.nextOffset;
  }
  return out;
}
