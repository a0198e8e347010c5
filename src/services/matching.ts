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
  await matchStore.lockMatchingExclusive(trx);
  let backfilled = 0;
  for (;;) {
    const page = await matchStore.componentsWithoutMatchVersion(trx, 5000);
    if (page.length === 0) break;
    await matchStore.setMatchVersions(trx, page.map((c) => ({ sbomId: c.sbomId, seq: c.seq, matchVersion: matchVersionOf(c.purl, c.version) ?? '' })));
    backfilled += page.length;
  }
  // the set of package versions is kept current by every upload; rebuilt only when versions were just filled in
  if (backfilled > 0) await matchStore.rebuildPackageVersions(trx);
  await matchStore.clearMatches(trx);
  const packageVersions = await matchStore.countPackageVersions(trx);
  let after = '';
  let packages = 0;
  let decided = 0;
  let matches = 0;
  // the database stores one page's verdicts while this process decides the next
  let storing: Promise<void> = Promise.resolve();
  for (;;) {
    const keys = await matchStore.matchablePackages(trx, after, 5000);
    if (keys.length === 0) break;
    after = keys[keys.length - 1]!;
    packages += keys.length;
    const { entries, versions } = await matchStore.entriesAndVersions(trx, keys);
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
    const found: matchStore.VersionMatch[] = [];
    for (const [purlKey, byAdvisory] of entriesOf) {
      const known = versionsOf.get(purlKey) ?? [];
      for (const [advisoryId, group] of byAdvisory) {
        for (const version of known) {
          const v = decideAll(version, group);
          if (v) found.push({ purlKey, version, advisoryId, status: v.status, because: v.because });
        }
        decided += known.length;
      }
    }
    matches += found.length;
    await storing;
    storing = matchStore.insertMatches(trx, found);
  }
  await storing;
  await matchStore.setMatcherState(trx, matcherVersion, now);
  await matchStore.analyzeMatching(trx);
  return { matcherVersion, packageVersions, packages, decided, matches, backfilled };
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
