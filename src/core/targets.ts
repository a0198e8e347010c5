// Scan targets: software identified by package URL and/or repository, with a criticality score.
import { PackageURL } from 'packageurl-js';
import { invalidField } from './errors.js';

export interface TargetSpec {
  name: string;
  /** The package URL as given (validated), or null. */
  purl: string | null;
  /** Version-less, qualifier-less canonical purl: two targets with the same key are the same package. */
  purlKey: string | null;
  /** Where the source is: a git URL (https, ssh, git@host:path) or an absolute local path. */
  repoUrl: string | null;
  repoKey: string | null;
  /** 0..1, as the OpenSSF criticality score. */
  criticality: number;
  maintainerOrgId: string | null;
}

export interface NewTargetInput {
  name?: unknown;
  purl?: unknown;
  repo?: unknown;
  criticality?: unknown;
  maintainerOrgId?: unknown;
}

export const defaultCriticality = 0.5;

/** Canonical package URL without version, qualifiers or subpath (purl spec normalization by packageurl-js). */
export function purlKey(purl: string): string {
  const p = PackageURL.fromString(purl);
  return new PackageURL(p.type, p.namespace ?? undefined, p.name, undefined, undefined, undefined).toString();
}

/**
 * Repository identity: host lower-cased, no scheme, user, port, ".git" or trailing slash, so that
 * https://GitHub.com/a/b.git, git@github.com:a/b and ssh://git@github.com/a/b are one repository.
 * Local paths keep their case and are prefixed `file:`.
 */
export function repoKey(repo: string): string {
  const trimmed = repo.trim();
  if (trimmed.startsWith('/')) return 'file:' + trimmed.replace(/\/+$/, '');
  if (trimmed.startsWith('file://')) return 'file:' + decodeURIComponent(new URL(trimmed).pathname).replace(/\/+$/, '');
  const scp = /^[\w.-]+@([\w.-]+):(?!\/\/)(.+)$/.exec(trimmed);
  let host: string;
  let path: string;
  if (scp) {
    host = scp[1]!;
    path = scp[2]!;
  } else {
    const url = new URL(trimmed);
    host = url.hostname;
    path = url.pathname;
  }
  path = path.replace(/^\/+/, '').replace(/\/+$/, '').replace(/\.git$/, '');
  return `${host.toLowerCase()}/${path}`;
}

function isRepoLocation(value: string): boolean {
  if (value.startsWith('/')) return true;
  if (/^[\w.-]+@[\w.-]+:(?!\/\/).+$/.test(value)) return true;
  try {
    const url = new URL(value);
    return ['https:', 'http:', 'ssh:', 'git:', 'file:'].includes(url.protocol) && (url.protocol === 'file:' || url.hostname !== '');
  } catch {
    return false;
  }
}

/** Checks one target description; `at` prefixes the JSON Pointer of errors (e.g. `/targets/3`). */
export function parseNewTarget(input: NewTargetInput, at = ''): TargetSpec {
  let purl: string | null = null;
  let pkey: string | null = null;
  if (input.purl !== undefined && input.purl !== null && input.purl !== '') {
    if (typeof input.purl !== 'string') throw invalidField(`${at}/purl`, 'purl must be a string');
    try {
      pkey = purlKey(input.purl);
    } catch (err) {
      throw invalidField(`${at}/purl`, `not a valid package URL: ${(err as Error).message}`);
    }
    purl = input.purl.trim();
  }
  let repo: string | null = null;
  let rkey: string | null = null;
  if (input.repo !== undefined && input.repo !== null && input.repo !== '') {
    if (typeof input.repo !== 'string' || !isRepoLocation(input.repo.trim())) {
      throw invalidField(`${at}/repo`, 'repo must be a git URL (https://, ssh://, git@host:path, file://) or an absolute path');
    }
    repo = input.repo.trim();
    rkey = repoKey(repo);
  }
  if (!pkey && !rkey) throw invalidField(`${at}/purl`, 'a target needs a purl, a repo, or both');
  let name: string;
  if (input.name === undefined || input.name === null || input.name === '') {
    name = purl ? PackageURL.fromString(purl).name : rkey!.split('/').filter(Boolean).pop()!;
  } else if (typeof input.name !== 'string' || input.name.trim().length === 0 || input.name.length > 200) {
    throw invalidField(`${at}/name`, 'name must be 1–200 characters');
  } else {
    name = input.name.trim();
  }
  let criticality = defaultCriticality;
  if (input.criticality !== undefined && input.criticality !== null && input.criticality !== '') {
    const c = typeof input.criticality === 'string' ? Number(input.criticality) : input.criticality;
    if (typeof c !== 'number' || !Number.isFinite(c) || c < 0 || c > 1) {
      throw invalidField(`${at}/criticality`, 'criticality must be a number from 0 to 1 (as the OpenSSF criticality score)');
    }
    criticality = c;
  }
  let maintainerOrgId: string | null = null;
  if (input.maintainerOrgId !== undefined && input.maintainerOrgId !== null && input.maintainerOrgId !== '') {
    if (typeof input.maintainerOrgId !== 'string') throw invalidField(`${at}/maintainerOrgId`, 'maintainerOrgId must be an organization id');
    maintainerOrgId = input.maintainerOrgId;
  }
  return { name, purl, purlKey: pkey, repoUrl: repo, repoKey: rkey, criticality, maintainerOrgId };
}

/**
 * How urgently a target wants scanning: criticality × staleness, where staleness is the days since the
 * last scan over the target's scan interval (never scanned counts as one year), capped at 12 intervals
 * so a forgotten low-criticality project cannot outrank every critical one forever.
 */
export function scanPriority(criticality: number, lastScannedAt: Date | null, now: Date, intervalDays: number): number {
  const ageDays = lastScannedAt ? Math.max(0, (now.getTime() - lastScannedAt.getTime()) / 86_400_000) : 365;
  return criticality * Math.min(ageDays / intervalDays, 12);
}

/** Days past due (negative: not yet due). Never scanned is due since the target was added. */
export function daysOverdue(lastScannedAt: Date | null, createdAt: Date, now: Date, intervalDays: number): number {
  const since = lastScannedAt ?? new Date(createdAt.getTime() - intervalDays * 86_400_000);
  return (now.getTime() - since.getTime()) / 86_400_000 - intervalDays;
}
