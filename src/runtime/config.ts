// Process configuration from the environment (and CLI flags, which override it). Every variable is in the README.
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { defaultBodyLimit } from '../api/limits.js';

export interface Config {
  /** Data directory: embedded database, log-signing key, first admin token. */
  home: string;
  /** PostgreSQL server URL; null means the embedded database in `home`. */
  databaseUrl: string | null;
  port: number;
  host: string;
  /** Name (origin) for a newly created log-signing key. */
  logOrigin: string | null;
  /** A signer key (PRIVATE+KEY+…) given directly instead of the key file in `home`. */
  logKey: string | null;
  bodyLimit: number;
  logLevel: string;
  /** Background jobs run at once by `serve` (intake, builds and sandboxed runs). */
  workers: number;
  /** A job's lease: a worker that dies holding a job loses it after this long and another worker reruns it. */
  jobLeaseMs: number;
  /**
   * Source mirrors, builds and sandbox scratch directories. Not inside `home`, which stays private (0700):
   * the sandbox's unprivileged user must be able to pass through to the trees bound into it.
   */
  workDir: string;
  /** The master key of encryption at rest (CLEARINGHOUSE_MASTER_KEY); null means `master.key` in `home`. */
  masterKey: string | null;
  /** SMTP server for e-mail notifications (CLEARINGHOUSE_SMTP_URL, `smtp://host:port`); null: no e-mail. */
  smtpUrl: string | null;
  /** The From of e-mail notifications (CLEARINGHOUSE_MAIL_FROM). */
  mailFrom: string | null;
  /** Where the clearinghouse is reached from outside (CLEARINGHOUSE_PUBLIC_URL): advisory and CSAF URLs. */
  publicUrl: string;
  /** The CSAF publisher's name and contact (CLEARINGHOUSE_PUBLISHER_NAME, CLEARINGHOUSE_PUBLISHER_CONTACT). */
  publisherName: string;
  publisherContact: string;
}

function intFrom(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, not ${JSON.stringify(value)}`);
  return n;
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const config: Config = {
    home: resolve(env.CLEARINGHOUSE_HOME || '.clearinghouse'),
    databaseUrl: env.DATABASE_URL || null,
    port: intFrom('PORT', env.PORT, 8080),
    host: env.HOST || '127.0.0.1',
    logOrigin: env.CLEARINGHOUSE_LOG_ORIGIN || null,
    logKey: env.CLEARINGHOUSE_LOG_KEY || null,
    bodyLimit: intFrom('CLEARINGHOUSE_BODY_LIMIT', env.CLEARINGHOUSE_BODY_LIMIT, defaultBodyLimit),
    logLevel: env.LOG_LEVEL || 'info',
    workers: intFrom('CLEARINGHOUSE_WORKERS', env.CLEARINGHOUSE_WORKERS, 2),
    jobLeaseMs: intFrom('CLEARINGHOUSE_JOB_LEASE_MS', env.CLEARINGHOUSE_JOB_LEASE_MS, 60_000),
    workDir: '',
    masterKey: env.CLEARINGHOUSE_MASTER_KEY || null,
    publicUrl: env.CLEARINGHOUSE_PUBLIC_URL || '',
    publisherName: env.CLEARINGHOUSE_PUBLISHER_NAME || 'AI Cybersecurity Clearinghouse',
    publisherContact: env.CLEARINGHOUSE_PUBLISHER_CONTACT || 'security@clearinghouse.invalid',
    smtpUrl: env.CLEARINGHOUSE_SMTP_URL || null,
    mailFrom: env.CLEARINGHOUSE_MAIL_FROM || null,
  };
  for (const [k, v] of Object.entries(overrides)) if (v !== undefined) (config as unknown as Record<string, unknown>)[k] = v;
  config.workDir ||= env.CLEARINGHOUSE_WORK_DIR ? resolve(env.CLEARINGHOUSE_WORK_DIR) : defaultWorkDir(config.home);
  config.publicUrl = (config.publicUrl || `http://${config.host}:${config.port}`).replace(/\/+$/, '');
  if (!/^https?:\/\/[^/?#]+$/.test(config.publicUrl)) throw new Error(`CLEARINGHOUSE_PUBLIC_URL must be an http(s) origin such as https://clearinghouse.example, not ${config.publicUrl}`);
  if (config.port > 65535) throw new Error(`port ${config.port} is out of range`);
  if (config.workers < 1 || config.workers > 64) throw new Error(`CLEARINGHOUSE_WORKERS must be from 1 to 64, not ${config.workers}`);
  if (config.jobLeaseMs < 1000) throw new Error(`CLEARINGHOUSE_JOB_LEASE_MS must be at least 1000, not ${config.jobLeaseMs}`);
  if (config.smtpUrl && !/^smtps?:\/\/[^/?#]/i.test(config.smtpUrl)) throw new Error('CLEARINGHOUSE_SMTP_URL must be an smtp:// or smtps:// URL (smtp://host:port, smtps://user:password@host)');
  return config;
}

/** One work directory per data directory, under the system's temporary directory. */
function defaultWorkDir(home: string): string {
  const uid = process.getuid?.() ?? 0;
  return join(tmpdir(), `clearinghouse-work-${uid}-${createHash('sha256').update(home).digest('hex').slice(0, 12)}`);
}
