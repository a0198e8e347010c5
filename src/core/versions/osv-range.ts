// Whether a package version is affected by one OSV `affected[]` entry: its `versions` list and its
// SEMVER / ECOSYSTEM ranges, evaluated as the OSV schema's `IsVulnerable` pseudocode says (schema.md,
// "Evaluation"): events sorted by version, `introduced` turns affected on at v >= it, `fixed` turns it off
// at v >= it, `last_affected` at v > it, and `limit` events bound the range from above (v < some limit).
// `introduced: "0"` sorts before every version; `limit: "*"` is infinity.
//
// GIT ranges name commits, not versions, so they cannot be decided here; the schema makes the `versions`
// list their version-level answer. A verdict is therefore:
// - `affected` when the versions list holds the version (by string, or by the ecosystem's equality) or a
//   SEMVER/ECOSYSTEM range contains it;
// - `unknown` when nothing says affected but something could not be evaluated: a GIT range with no versions
//   list to stand for it, an ECOSYSTEM range in an ecosystem we have no ordering for, a range type we do not
//   know, or a range whose bounds are not valid versions of its ecosystem;
// - `not-affected` otherwise.
// A queried version that is not valid in the ecosystem whose range must judge it is an error
// (InvalidVersionError), never a silent "not affected".
import { goOrdering, orderingForOsvEcosystem, semverOrdering } from './ecosystems.js';
import { InvalidVersionError, type Ordering } from './ordering.js';

export interface OsvEvent {
  introduced?: string;
  fixed?: string;
  last_affected?: string;
  limit?: string;
}

export interface OsvRange {
  type: string;
  repo?: string;
  events: readonly OsvEvent[];
}

export interface OsvAffectedVersions {
  ranges?: readonly OsvRange[];
  versions?: readonly string[];
}

export type UnknownReason =
  | { kind: 'git-range'; range: number; repo?: string }
  | { kind: 'unsupported-ecosystem'; range: number; ecosystem: string }
  | { kind: 'unknown-range-type'; range: number; type: string }
  | { kind: 'invalid-range'; range: number; message: string };

export type AffectedVerdict =
  | { status: 'affected'; by: 'versions'; version: string }
  | { status: 'affected'; by: 'range'; range: number; type: 'SEMVER' | 'ECOSYSTEM' }
  | { status: 'unknown'; reasons: UnknownReason[] }
  /** `gitRangesCoveredByVersions`: GIT ranges whose answer was taken from the versions list. */
  | { status: 'not-affected'; gitRangesCoveredByVersions: number };

type EventKind = 'introduced' | 'fixed' | 'last_affected' | 'limit';
const EVENT_KINDS: readonly EventKind[] = ['introduced', 'fixed', 'last_affected', 'limit'];

interface FlatEvent {
  kind: EventKind;
  version: string;
  /** `introduced: "0"`: before every version. */
  isZero: boolean;
  /** A `limit` containing `*`: infinity. */
  isInfinite: boolean;
}

/** Reads a range's events, checking the schema's one-key-per-event rule. Throws a message on malformed events. */
function flattenEvents(range: OsvRange): FlatEvent[] {
  if (!Array.isArray(range.events)) throw new Error('events is not an array');
  return range.events.map((event, i) => {
    const kinds = EVENT_KINDS.filter((k) => event[k] !== undefined);
    if (kinds.length !== 1) throw new Error(`event ${i} must have exactly one of ${EVENT_KINDS.join(', ')}`);
    const kind = kinds[0] as EventKind;
    const version = event[kind];
    if (typeof version !== 'string') throw new Error(`event ${i} ${kind} is not a string`);
    return {
      kind,
      version,
      isZero: kind === 'introduced' && version === '0',
      isInfinite: kind === 'limit' && version.includes('*'),
    };
  });
}

function compareEventVersions(ordering: Ordering, a: FlatEvent, b: FlatEvent): number {
  if (a.isZero || b.isZero) return a.isZero === b.isZero ? 0 : a.isZero ? -1 : 1;
  if (a.isInfinite || b.isInfinite) return a.isInfinite === b.isInfinite ? 0 : a.isInfinite ? 1 : -1;
  return ordering.compare(a.version, b.version);
}

/**
 * Events are read once per range object and checked and sorted once per ordering, since an advisory is
 * evaluated against many versions; range objects are therefore treated as immutable once evaluated.
 */
const flattened = new WeakMap<OsvRange, FlatEvent[] | Error>();

function eventsOf(range: OsvRange): FlatEvent[] {
  let hit = flattened.get(range);
  if (hit === undefined) {
    try {
      hit = flattenEvents(range);
    } catch (err) {
      hit = err as Error;
    }
    flattened.set(range, hit);
  }
  if (hit instanceof Error) throw hit;
  return hit;
}

interface PreparedRange {
  sorted: FlatEvent[];
  limits: FlatEvent[];
}
const prepared = new WeakMap<OsvRange, Map<Ordering, PreparedRange | InvalidVersionError>>();

/** Throws InvalidVersionError when an event version is not a version of `ordering`. */
function prepare(range: OsvRange, events: FlatEvent[], ordering: Ordering): PreparedRange {
  let byOrdering = prepared.get(range);
  if (byOrdering === undefined) {
    byOrdering = new Map();
    prepared.set(range, byOrdering);
  }
  const hit = byOrdering.get(ordering);
  if (hit instanceof InvalidVersionError) throw hit;
  if (hit !== undefined) return hit;
  try {
    for (const e of events) {
      if (!e.isZero && !e.isInfinite) ordering.assertValid(e.version);
    }
  } catch (err) {
    if (err instanceof InvalidVersionError) byOrdering.set(ordering, err);
    throw err;
  }
  // Stable sort: equal versions keep the order the record gives them (as OSV.dev's enumeration does).
  const sorted = events
    .map((e, i) => ({ e, i }))
    .sort((x, y) => compareEventVersions(ordering, x.e, y.e) || x.i - y.i)
    .map(({ e }) => e);
  const result = { sorted, limits: events.filter((e) => e.kind === 'limit') };
  byOrdering.set(ordering, result);
  return result;
}

/** The schema's IncludedInRanges for one range; `version` must already be valid in `ordering`. */
function rangeContains(version: string, range: PreparedRange, ordering: Ordering): boolean {
  const { sorted, limits } = range;
  if (limits.length > 0 && !limits.some((e) => e.isInfinite || ordering.compare(version, e.version) < 0)) return false;
  let vulnerable = false;
  for (const e of sorted) {
    if (e.kind === 'introduced') {
      if (e.isZero || ordering.compare(version, e.version) >= 0) vulnerable = true;
    } else if (e.kind === 'fixed') {
      if (ordering.compare(version, e.version) >= 0) vulnerable = false;
    } else if (e.kind === 'last_affected') {
      if (ordering.compare(version, e.version) > 0) vulnerable = false;
    }
  }
  return vulnerable;
}

function listedInVersions(version: string, versions: readonly string[], ordering: Ordering | undefined): boolean {
  if (versions.includes(version)) return true;
  if (ordering === undefined || !ordering.isValid(version)) return false;
  return versions.some((v) => ordering.isValid(v) && ordering.compare(v, version) === 0);
}

/**
 * Is `version` of a package in `ecosystem` (an OSV ecosystem string such as `PyPI` or `Debian:12`)
 * affected according to one OSV `affected[]` entry?
 */
export function isAffected(version: string, affected: OsvAffectedVersions, ecosystem: string): AffectedVerdict {
  const ecosystemOrdering = orderingForOsvEcosystem(ecosystem);
  const versions = affected.versions ?? [];
  if (listedInVersions(version, versions, ecosystemOrdering)) return { status: 'affected', by: 'versions', version };

  const reasons: UnknownReason[] = [];
  let gitCovered = 0;
  const ranges = affected.ranges ?? [];
  for (let index = 0; index < ranges.length; index++) {
    const range = ranges[index] as OsvRange;
    let ordering: Ordering | undefined;
    if (range.type === 'GIT') {
      if (versions.length > 0) gitCovered++;
      else reasons.push({ kind: 'git-range', range: index, ...(range.repo === undefined ? {} : { repo: range.repo }) });
      continue;
    } else if (range.type === 'SEMVER') {
      // Go's ordering is SemVer 2.0 precedence too, and also reads `v1.2.3` and Go's `v1.2` shorthand.
      ordering = ecosystemOrdering === goOrdering ? goOrdering : semverOrdering;
    } else if (range.type === 'ECOSYSTEM') {
      ordering = ecosystemOrdering;
      if (ordering === undefined) {
        reasons.push({ kind: 'unsupported-ecosystem', range: index, ecosystem });
        continue;
      }
    } else {
      reasons.push({ kind: 'unknown-range-type', range: index, type: String(range.type) });
      continue;
    }
    ordering.assertValid(version); // the queried version itself: an error, never an "unknown"
    let events: FlatEvent[];
    try {
      events = eventsOf(range);
    } catch (err) {
      reasons.push({ kind: 'invalid-range', range: index, message: (err as Error).message });
      continue;
    }
    if (!events.some((e) => e.kind === 'introduced')) {
      reasons.push({ kind: 'invalid-range', range: index, message: 'range has no introduced event' });
      continue;
    }
    let contains: boolean;
    try {
      contains = rangeContains(version, prepare(range, events, ordering), ordering);
    } catch (err) {
      if (!(err instanceof InvalidVersionError)) throw err;
      reasons.push({ kind: 'invalid-range', range: index, message: err.message });
      continue;
    }
    if (contains) return { status: 'affected', by: 'range', range: index, type: range.type };
  }
  return reasons.length > 0 ? { status: 'unknown', reasons } : { status: 'not-affected', gitRangesCoveredByVersions: gitCovered };
}
