// Keeps the stored match verdicts current: a new SBOM's new package versions are decided against the
// advisories of their packages, a new or changed advisory against the known versions of its packages — each in
// the transaction that brought it. A full rematch runs on start when the stored verdicts came from another
// matcher version (or none), and on a coordinator's request.
import type { Caller } from '../core/access.js';
import { digestOf } from '../core/canonical-json.js';
import { AppError } from '../core/errors.js';
import { decideAll, decideCandidates, matcherVersion, matchVersionOf, type AffectedEntry } from '../core/exposure/match.js';
import * as matchStore from '../store/matching.js';
import { write, type Db, type ServiceContext } from './context.js';

export interface RematchReport {
  matcherVersion: number;
  packageVersions: number;
  packages: number;
  decided: number;
  matches: number;
  backfilled: number;
  /** Milliseconds spent in each phase (`store` counts only the time spent waiting for the database). */
  phases: { backfill: number; clear: number; read: number; decide: number; store: number; analyze: number };
  ms: number;
}

/** Decides what a new SBOM brings; runs inside the upload's transaction. */
export async function matchNewSbom(trx: Db, sbomId: string): Promise<number> {
  await matchStore.lockMatchingShared(trx);
  const matches = decideCandidates(await matchStore.registerSbomVersions(trx, sbomId));
  await matchStore.insertMatches(trx, matches);
  return matches.length;
}

/** Takes the matching lock for an advisory import; call before the import writes advisories. */
export const lockForAdvisoryWrites = (trx: Db) => matchStore.lockMatchingExclusive(trx);

/** Re-decides written advisories against every known version of their packages; inside the import's transaction. */
export async function matchAdvisories(trx: Db, advisoryIds: string[]): Promise<number> {
  const matches = decideCandidates(await matchStore.candidatesForAdvisories(trx, advisoryIds));
  await matchStore.insertMatches(trx, matches);
  return matches.length;
}

/** Decides every known package version against every advisory of its package, from nothing. */
async function rematchIn(trx: Db, now: Date): Promise<Omit<RematchReport, 'ms'>> {
  const phases = { backfill: 0, clear: 0, read: 0, decide: 0, store: 0, analyze: 0 };
  const timed = async <T>(phase: keyof typeof phases, work: () => Promise<T> | T): Promise<T> => {
    const t = performance.now();
    try {
      return await work();
    } finally {
      phases[phase] += performance.now() - t;
    }
  };
  await matchStore.lockMatchingExclusive(trx);
  let backfilled = 0;
  await timed('backfill', async () => {
    for (;;) {
      const page = await matchStore.componentsWithoutMatchVersion(trx, 5000);
      if (page.length === 0) break;
      await matchStore.setMatchVersions(trx, page.map((c) => ({ sbomId: c.sbomId, seq: c.seq, matchVersion: matchVersionOf(c.purl, c.version) ?? '' })));
      backfilled += page.length;
    }
    // the set of package versions is kept current by every upload; rebuilt only when versions were just filled in
    if (backfilled > 0) await matchStore.rebuildPackageVersions(trx);
  });
  await timed('clear', () => matchStore.clearMatches(trx));
  const packageVersions = await matchStore.countPackageVersions(trx);
  const allKeys = await timed('read', () => matchStore.matchablePackages(trx));
  let decided = 0;
  let matches = 0;
  // the database stores one page's verdicts while this process decides the next
  let storing: Promise<void> = Promise.resolve();
  for (let i = 0; i < allKeys.length; i += 5000) {
    const keys = allKeys.slice(i, i + 5000);
    const { entries, versions } = await timed('read', () => matchStore.entriesAndVersions(trx, keys));
    const found = await timed('decide', () => {
      const versionsOf = new Map<string, string[]>();
      for (const v of versions) {
        const list = versionsOf.get(v.purlKey);
        if (list) list.push(v.version);
        else versionsOf.set(v.purlKey, [v.version]);
      }
      // per package, per advisory: its entries for that package together (OSV may name a package twice)
      const entriesOf = new Map<string, Map<string, AffectedEntry[]>>();
      for (const e of entries) {
        let byAdvisory = entriesOf.get(e.purlKey);
        if (!byAdvisory) entriesOf.set(e.purlKey, (byAdvisory = new Map()));
        const list = byAdvisory.get(e.advisoryId);
        if (list) list.push(e);
        else byAdvisory.set(e.advisoryId, [e]);
      }
      const out: matchStore.VersionMatch[] = [];
      for (const [purlKey, byAdvisory] of entriesOf) {
        const known = versionsOf.get(purlKey) ?? [];
        for (const [advisoryId, group] of byAdvisory) {
          for (const version of known) {
            const v = decideAll(version, group);
            if (v) out.push({ purlKey, version, advisoryId, status: v.status, because: v.because });
          }
          decided += known.length;
        }
      }
      return out;
    });
    matches += found.length;
    await timed('store', () => storing);
    storing = matchStore.insertMatches(trx, found);
  }
  await timed('store', () => storing);
  await matchStore.setMatcherState(trx, matcherVersion, now);
  await timed('analyze', () => matchStore.analyzeMatching(trx));
  const ms = Object.fromEntries(Object.entries(phases).map(([k, v]) => [k, Math.round(v)])) as RematchReport['phases'];
  return { matcherVersion, packageVersions, packages: allKeys.length, decided, matches, backfilled, phases: ms };
}

export class MatchingService {
  constructor(private readonly ctx: ServiceContext) {}

  /** A coordinator's full rematch (after changing how versions are read, or to check the stored verdicts). */
  async rematch(caller: Caller): Promise<RematchReport> {
    if (caller.orgKind !== 'coordinator') throw new AppError('forbidden', 'only coordinators rematch exposure');
    const started = performance.now();
    const report = await write(this.ctx, caller, async (trx) => {
      const r = await rematchIn(trx, this.ctx.clock.now());
      return { result: r, events: [{ action: 'exposure.rematch', objectType: 'matcher', objectId: String(matcherVersion), stateSha256: digestOf(r) }] };
    });
    return { ...report, ms: Math.round(performance.now() - started) };
  }

  /** On start: a full rematch when the stored verdicts are not this matcher's. Returns null when they are. */
  async catchUp(): Promise<RematchReport | null> {
    const state = await matchStore.matcherState(this.ctx.db);
    if (state?.matcherVersion === matcherVersion) return null;
    const started = performance.now();
    const report = await this.ctx.db.transaction().execute((trx) => rematchIn(trx, this.ctx.clock.now()));
    return { ...report, ms: Math.round(performance.now() - started) };
  }
}
