// Vulnerability knowledge from outside the clearinghouse: OSV database exports imported by coordinators
// (re-importing records what changed), and the question every operator asks of it — which advisories
// affect this exact package version — answered through the package index with each ecosystem's own order.
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { mkdtemp, open, readFile, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PackageURL } from 'packageurl-js';
import type { Caller } from '../core/access.js';
import { digestOf } from '../core/canonical-json.js';
import { AppError, invalidField, isAppError, notFound } from '../core/errors.js';
import { isUuid } from '../core/ids.js';
import { packageKeyOfAffected } from '../core/exposure/package-key.js';
import type { AdvisoryFinding } from '../core/findings.js';
import { purlKey } from '../core/targets.js';
import { decide, type MatchVerdict } from '../core/exposure/match.js';
import { cvssVectorProblem } from '../core/scoring/cvss.js';
import { vulnerabilityPriority, type ExplanationItem, type OperatorExposure } from '../core/scoring/priority.js';
import { linesOf, parseEpssLinesAsync } from '../formats/epss.js';
import { parseKevCatalog } from '../formats/kev.js';
import { parseOsvDocuments, readOsvExport } from '../formats/osv.js';
import * as advisoryStore from '../store/advisories.js';
import * as assetStore from '../store/assets.js';
import * as matchStore from '../store/matching.js';
import type { AdvisoryImport } from '../store/advisories.js';
import { write, type Db, type ServiceContext } from './context.js';
import { lockForAdvisoryWrites, matchAdvisories } from './matching.js';

/** Largest export accepted in one import (an osv.dev ecosystem zip is a few hundred MB). */
export const maxImportBytes = 4 * 2 ** 30;
const maxJsonImportBytes = 256 * 2 ** 20;
/** Ids listed per kind of change in an import's record. */
const changesListed = 1000;

export interface ImportView {
  id: string;
  kind: string;
  source: string;
  sha256: string;
  records: number;
  added: number;
  changed: number;
  unchanged: number;
  changes: { added: string[]; changed: string[] };
  importedAt: string;
}

function importView(i: AdvisoryImport): ImportView {
  return { id: i.id, kind: i.kind, source: i.source, sha256: i.sha256, records: i.records, added: i.added, changed: i.changed, unchanged: i.unchanged, changes: i.changes, importedAt: i.importedAt.toISOString() };
}

export interface QueryMatch {
  advisoryId: string;
  aliases: string[];
  summary: string | null;
  severity: string | null;
  /** `affected`, or `unknown` when the record cannot decide for this version (a GIT range, an ecosystem without an order). */
  status: 'affected' | 'unknown';
  /** What decided: the versions list or the range, or why it is unknown. */
  because: string;
}

function toAdvisoryRow(f: AdvisoryFinding): advisoryStore.NewAdvisory {
  return {
    id: f.advisoryId,
    aliases: f.aliases,
    summary: f.title,
    severity: f.severity,
    cvssVector: f.cvssVector,
    published: f.published,
    modified: f.modified,
    withdrawn: f.withdrawn,
    sha256: digestOf(f),
    data: f,
    packages: f.affected.map((a) => ({ ecosystem: a.ecosystem, name: a.name, purlKey: packageKeyOfAffected(a), ranges: a.ranges, versions: a.versions })),
  };
}

/** Writes an upload to a private temporary file, counting and hashing it; the caller removes `dir`. */
async function spool(body: AsyncIterable<Uint8Array>, maxBytes: number): Promise<{ dir: string; file: string; size: number; sha256: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'clearinghouse-import-'));
  const file = join(dir, 'export');
  const hash = createHash('sha256');
  let size = 0;
  const out = createWriteStream(file);
  try {
    for await (const chunk of body) {
      size += chunk.length;
      if (size > maxBytes) throw new AppError('payload-too-large', `an import may be at most ${maxBytes} bytes`);
      hash.update(chunk);
      if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
    }
    await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  } catch (err) {
    out.destroy();
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  if (size === 0) {
    await rm(dir, { recursive: true, force: true });
    throw invalidField('/', 'the import is empty');
  }
  return { dir, file, size, sha256: hash.digest('hex') };
}

async function readHead(file: string): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const head = Buffer.alloc(4);
    const { bytesRead } = await handle.read(head, 0, 4, 0);
    return head.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

type ImportCounts = Pick<AdvisoryImport, 'records' | 'added' | 'changed' | 'unchanged' | 'changes'>;

interface QueueSubject {
  id: string;
  source: QueueItem['source'];
  vulnId: string | null;
  aliases: string[];
  summary: string | null;
  severity: string | null;
  cvssVector: string | null;
  proofOfConcept: boolean;
  reproduced: boolean;
  groups: matchStore.AdvisoryExposureGroup[];
  /** Known up front for the clearinghouse's own records; read for the page shown for advisories. */
  assetNames: string[] | null;
}

export interface QueueItem {
  /** The imported advisory's id, or the clearinghouse record's CHV id. */
  advisoryId: string;
  /** `osv`: imported; `clearinghouse`: the clearinghouse's own (embargoed) record, `vulnId` naming it. */
  source: 'osv' | 'clearinghouse';
  vulnId: string | null;
  aliases: string[];
  summary: string | null;
  severity: string | null;
  decision: string;
  epss: number | null;
  cvssScore: number | null;
  /** Sorts most urgent first. */
  key: string;
  /** How many of the visible assets are exposed. */
  exposedAssets: number;
  /** Up to 20 of them by name (none for a maintainer, who learns counts by class only). */
  assets: string[];
  /** Every input and how it counted. */
  explanation: ExplanationItem[];
}

/** One exposed (asset, component, advisory): the stored verdict's row, the component by its purl. */
export type ExposureItem = Omit<matchStore.ExposureRow, 'purl'> & { component: string };

function isZip(head: Buffer): boolean {
  return head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04;
}

export class AdvisoryService {
  constructor(private readonly ctx: ServiceContext) {}

  /**
   * One import in one transaction: its record first (what its rows reference), then `fill` writes the data and
   * counts what it added and changed, then the record gets the counts and the log the import's hash.
   */
  private async recorded(caller: Caller, kind: AdvisoryImport['kind'], source: string, sha256: string, fill: (trx: Db, importId: string) => Promise<ImportCounts>): Promise<{ created: boolean; import: ImportView }> {
    const id = randomUUID();
    const now = this.ctx.clock.now();
    const counts = await write(this.ctx, caller, async (trx) => {
      await advisoryStore.insertImport(trx, { id, kind, source, sha256, records: 0, added: 0, changed: 0, unchanged: 0, changes: { added: [], changed: [] }, importedAt: now, byOrg: caller.orgId });
      const c = await fill(trx, id);
      await advisoryStore.finishImport(trx, id, c);
      return { result: c, events: [{ action: 'advisories.import', objectType: 'advisory-import', objectId: id, stateSha256: sha256 }] };
    });
    return { created: true, import: { id, kind, source, sha256, ...counts, importedAt: now.toISOString() } };
  }

  /**
   * Imports an OSV export — a zip (osv.dev's per-ecosystem exports, or a zipped directory), a JSON array of
   * records or one record — in one transaction: every record validated, new ones added, changed ones (by the
   * digest of the normalized record) rewritten with their packages, unchanged ones only touched. The import
   * is recorded with its counts and the ids that were added and changed.
   */
  async importOsv(caller: Caller, input: { body: AsyncIterable<Uint8Array>; source: string }): Promise<{ created: boolean; import: ImportView }> {
    if (caller.orgKind !== 'coordinator') throw new AppError('forbidden', 'only coordinators import advisories');
    const spooled = await spool(input.body, maxImportBytes);
    const { dir, size, sha256 } = spooled;
    let file = spooled.file;
    try {
      const zipped = isZip(await readHead(file));
      // the export reader knows a zip by its name
      if (zipped) {
        await rename(file, `${file}.zip`);
        file = `${file}.zip`;
      }
      const batches = zipped ? readOsvExport(file, { batchSize: 2000 }) : this.jsonBatches(file, size);
      return await this.recorded(caller, 'osv', input.source, sha256, async (trx, id) => {
        await lockForAdvisoryWrites(trx);
        const counts = { records: 0, added: 0, changed: 0, unchanged: 0, changes: { added: [] as string[], changed: [] as string[] } };
        for await (const batch of batches) {
          // the last record of an id wins within one import
          const byId = new Map(batch.map((f) => [f.advisoryId, toAdvisoryRow(f)]));
          const stored = await advisoryStore.storedDigests(trx, [...byId.keys()]);
          const toWrite: advisoryStore.NewAdvisory[] = [];
          const same: string[] = [];
          for (const row of byId.values()) {
            const before = stored.get(row.id);
            if (before === row.sha256) {
              same.push(row.id);
              continue;
            }
            toWrite.push(row);
            const list = before === undefined ? counts.changes.added : counts.changes.changed;
            if (before === undefined) counts.added++;
            else counts.changed++;
            if (list.length < changesListed) list.push(row.id);
          }
          counts.records += byId.size;
          counts.unchanged += same.length;
          await advisoryStore.writeAdvisories(trx, id, toWrite);
          await matchAdvisories(trx, toWrite.map((r) => r.id));
          await advisoryStore.touchAdvisories(trx, id, same);
        }
        // a bulk import changes the tables' shape: fresh statistics keep uploads' matching on index lookups
        if (counts.added + counts.changed >= 5000) await advisoryStore.analyzeAdvisories(trx);
        return counts;
      });
    } catch (err) {
      if (isAppError(err)) throw err;
      throw new AppError('unprocessable', `the import could not be read: ${(err as Error).message}`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** Replaces the KEV catalog (CISA's known_exploited_vulnerabilities.json) and records which CVEs it added and removed. */
  async importKev(caller: Caller, input: { body: AsyncIterable<Uint8Array>; source: string }): Promise<{ created: boolean; import: ImportView }> {
    if (caller.orgKind !== 'coordinator') throw new AppError('forbidden', 'only coordinators import advisories');
    const { dir, file, sha256 } = await spool(input.body, maxJsonImportBytes);
    try {
      let doc: unknown;
      try {
        doc = JSON.parse(await readFile(file, 'utf8'));
      } catch (err) {
        throw invalidField('/', `not valid JSON: ${(err as Error).message}`);
      }
      const catalog = parseKevCatalog(doc);
      return await this.recorded(caller, 'kev', input.source, sha256, async (trx, id) => {
        const diff = await advisoryStore.replaceKev(
          trx,
          id,
          catalog.entries.map((e) => ({ cve: e.cveId, vendorProject: e.vendorProject, product: e.product, name: e.vulnerabilityName, dateAdded: e.dateAdded, dueDate: e.dueDate, ransomware: e.knownRansomwareCampaignUse })),
        );
        return {
          records: catalog.entries.length,
          added: diff.added.length,
          // a CVE that left the catalog is the change worth naming
          changed: diff.removed.length,
          unchanged: catalog.entries.length - diff.added.length,
          changes: { added: diff.added.slice(0, changesListed), changed: diff.removed.slice(0, changesListed) },
        };
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** Imports FIRST's EPSS CSV (plain or gzip), line by line, in batches; records how many scores were new or changed. */
  async importEpss(caller: Caller, input: { body: AsyncIterable<Uint8Array>; source: string }): Promise<{ created: boolean; import: ImportView }> {
    if (caller.orgKind !== 'coordinator') throw new AppError('forbidden', 'only coordinators import advisories');
    const { dir, file, sha256 } = await spool(input.body, maxImportBytes);
    try {
      const head = await readHead(file);
      const raw = createReadStream(file);
      const source = head[0] === 0x1f && head[1] === 0x8b ? raw.pipe(createGunzip()) : raw;
      return await this.recorded(caller, 'epss', input.source, sha256, async (trx, id) => {
        const rows = parseEpssLinesAsync(linesOf(source as AsyncIterable<Uint8Array>));
        let batch: Array<{ cve: string; epss: number; percentile: number }> = [];
        const counts = { records: 0, added: 0, changed: 0, unchanged: 0, changes: { added: [] as string[], changed: [] as string[] } };
        let header: { scoreDate: string | null } = { scoreDate: null };
        const flush = async () => {
          const r = await advisoryStore.upsertEpss(trx, id, header.scoreDate, batch);
          counts.added += r.added;
          counts.changed += r.changed;
          counts.records += batch.length;
          batch = [];
        };
        for (;;) {
          const next = await rows.next();
          if (next.done) {
            header = next.value;
            break;
          }
          batch.push({ cve: next.value.cve, epss: next.value.epss, percentile: next.value.percentile });
          if (batch.length >= 5000) await flush();
        }
        await flush();
        if (counts.records === 0) throw invalidField('/', 'the EPSS file has no scores');
        counts.unchanged = counts.records - counts.added - counts.changed;
        return counts;
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /**
   * The remediation queue, most urgent first, one explainable priority per vulnerability (SSVC decision from
   * KEV, proof-of-concept presence, the CVSS vector and the exposed operators' classes; then exposure weighted
   * federal first; then EPSS; then CVSS). Coordinators and auditors see every imported advisory that affects an
   * asset and every clearinghouse record (embargoed; its exposure by the versions its reporters named). An
   * operator's queue weighs its own assets only; a maintainer's holds the advisories naming its products, with
   * exposure counted by class but no operator or asset named. Clearinghouse records reach operators and
   * maintainers through disclosure cases, not here.
   */
  async queue(caller: Caller, opts: { limit: number }): Promise<QueueItem[]> {
    const all = caller.orgKind === 'coordinator' || caller.orgKind === 'auditor';
    const maintainer = caller.orgKind === 'maintainer';
    if (!all && !maintainer && caller.orgKind !== 'operator') throw new AppError('forbidden', 'the queue is visible to operators (their exposure), maintainers (their products), coordinators and auditors');
    const filter: matchStore.ExposureFilter = all ? {} : maintainer ? { maintainerOrgId: caller.orgId } : { orgId: caller.orgId };
    const groups = await matchStore.affectedGroups(this.ctx.db, filter);
    const byAdvisory = new Map<string, matchStore.AdvisoryExposureGroup[]>();
    for (const g of groups) {
      const list = byAdvisory.get(g.advisoryId);
      if (list) list.push(g);
      else byAdvisory.set(g.advisoryId, [g]);
    }
    const meta = await advisoryStore.advisorySummaries(this.ctx.db, [...byAdvisory.keys()]);
    const subjects: QueueSubject[] = [...byAdvisory].map(([id, list]) => {
      const m = meta.get(id);
      return { id, source: 'osv', vulnId: null, aliases: m?.aliases ?? [], summary: m?.summary ?? null, severity: m?.severity ?? null, cvssVector: m?.cvssVector ?? null, proofOfConcept: false, reproduced: false, groups: list, assetNames: null };
    });
    if (all) {
      const own = await matchStore.ownRecords(this.ctx.db);
      const ownGroups = await matchStore.ownRecordGroups(this.ctx.db, own.filter((o) => o.purlKey && o.versions.length).map((o) => ({ vulnId: o.vulnId, purlKey: o.purlKey!, versions: o.versions })));
      for (const o of own) {
        subjects.push({
          id: o.displayId,
          source: 'clearinghouse',
          vulnId: o.vulnId,
          aliases: [],
          summary: o.title,
          severity: o.severity,
          cvssVector: o.cvssVector,
          proofOfConcept: o.proofOfConcept,
          reproduced: o.reproduced,
          groups: ownGroups.get(o.vulnId) ?? [],
          assetNames: (ownGroups.get(o.vulnId) ?? []).flatMap((g) => g.assetNames),
        });
      }
    }
    const cvesOf = (s: QueueSubject) => [...new Set([s.id, ...s.aliases].filter((x) => /^CVE-\d{4}-\d+$/.test(x)))];
    const facts = await advisoryStore.factsForCves(this.ctx.db, [...new Set(subjects.flatMap(cvesOf))]);
    const classRank = (c: string) => ['nss', 'dow', 'fceb', 'sltt', 'ci'].indexOf(c);
    const out: QueueItem[] = [];
    for (const s of subjects) {
      const cves = cvesOf(s);
      const kev = cves.map((c) => facts.kev.get(c)).find((k) => k) ?? null;
      const epss = cves.map((c) => facts.epss.get(c)).filter((x): x is { epss: number; percentile: number } => !!x).sort((a, b) => b.epss - a.epss)[0] ?? null;
      // one exposure per operator: its exposed assets, placed in its most federal exposed class
      const byOrg = new Map<string, matchStore.AdvisoryExposureGroup[]>();
      for (const g of s.groups) {
        const list = byOrg.get(g.orgId);
        if (list) list.push(g);
        else byOrg.set(g.orgId, [g]);
      }
      const exposure: OperatorExposure[] = [...byOrg].map(([orgId, list]) => {
        const top = [...list].sort((a, b) => classRank(a.assetClass) - classRank(b.assetClass))[0]!;
        const operatorClass = (top.assetClass === 'ci' ? { assetClass: 'ci', sector: top.sector } : { assetClass: top.assetClass, sector: null }) as OperatorExposure['operatorClass'];
        return { operatorId: orgId, operatorClass, assets: list.reduce((n, g) => n + g.assets, 0) };
      });
      const cvssVector = s.cvssVector && !cvssVectorProblem(s.cvssVector) ? s.cvssVector : null;
      const priority = vulnerabilityPriority({ vulnerabilityId: s.id, cvssVector, kev, epss, proofOfConcept: s.proofOfConcept, reproduced: s.reproduced, exposure });
      out.push({
        advisoryId: s.id,
        source: s.source,
        vulnId: s.vulnId,
        aliases: s.aliases,
        summary: s.summary,
        severity: s.severity,
        decision: priority.decision,
        epss: priority.epss,
        cvssScore: priority.cvssScore,
        key: priority.key,
        exposedAssets: s.groups.reduce((n, g) => n + g.assets, 0),
        assets: s.assetNames ? [...new Set(s.assetNames)].sort().slice(0, 20) : [],
        explanation: priority.explanation,
      });
    }
    const top = out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)).slice(0, opts.limit);
    // a maintainer learns how many assets of which class, never whose; names are read for the page shown only
    if (!maintainer) {
      const names = await matchStore.exposedAssetNames(this.ctx.db, top.filter((i) => i.source === 'osv').map((i) => i.advisoryId), all ? null : caller.orgId, 20);
      for (const i of top) if (i.source === 'osv') i.assets = names.get(i.advisoryId) ?? [];
    }
    return top;
  }

  private async *jsonBatches(file: string, size: number): AsyncGenerator<AdvisoryFinding[]> {
    if (size > maxJsonImportBytes) throw new AppError('payload-too-large', `a JSON import above ${maxJsonImportBytes} bytes is not accepted; send OSV databases as a zip export`);
    let doc: unknown;
    try {
      doc = JSON.parse(await readFile(file, 'utf8'));
    } catch (err) {
      throw invalidField('/', `not valid JSON: ${(err as Error).message}`);
    }
    const records = parseOsvDocuments(doc);
    for (let i = 0; i < records.length; i += 2000) yield records.slice(i, i + 2000);
  }

  async imports(caller: Caller, page: { limit: number; offset: number }): Promise<ImportView[]> {
    if (caller.orgKind !== 'coordinator' && caller.orgKind !== 'auditor') throw new AppError('forbidden', 'imports are visible to coordinators and auditors');
    return (await advisoryStore.listImports(this.ctx.db, page)).map(importView);
  }

  /**
   * What an operator runs that imported advisories affect: its assets' current SBOM components joined with the
   * stored verdicts (each package version decided once with its ecosystem's order). Federal asset classes
   * first, then by the asset's criticality. An operator sees its own; coordinators and auditors all.
   */
  async exposure(caller: Caller, filter: { asset?: string; advisory?: string; limit?: number; offset?: number }): Promise<ExposureItem[]> {
    const all = caller.orgKind === 'coordinator' || caller.orgKind === 'auditor';
    if (!all && caller.orgKind !== 'operator') throw new AppError('forbidden', 'exposures are visible to the operator concerned, coordinators and auditors');
    let assetId: string | undefined;
    if (filter.asset !== undefined) {
      const a = isUuid(filter.asset) ? await assetStore.findAsset(this.ctx.db, filter.asset) : await assetStore.findAssetByName(this.ctx.db, caller.orgId, filter.asset);
      if (!a || (!all && a.orgId !== caller.orgId)) throw notFound('asset', filter.asset);
      assetId = a.id;
    }
    const rows = await matchStore.exposureRows(
      this.ctx.db,
      { ...(all ? {} : { orgId: caller.orgId }), ...(assetId ? { assetId } : {}), ...(filter.advisory !== undefined ? { advisoryId: filter.advisory } : {}) },
      { limit: filter.limit ?? 500, offset: filter.offset ?? 0 },
    );
    return rows.map(({ purl, ...r }) => ({ ...r, component: purl }));
  }

  /** The advisories that affect one exact package version (withdrawn ones left out), or cannot tell. */
  async query(purl: string): Promise<{ purl: string; package: string; version: string; matches: QueryMatch[] }> {
    let parsed: PackageURL;
    try {
      parsed = PackageURL.fromString(purl);
    } catch (err) {
      throw invalidField('purl', `not a package URL: ${(err as Error).message}`);
    }
    if (!parsed.version) throw invalidField('purl', 'give the exact version: pkg:type/name@version');
    const key = purlKey(purl);
    const version = parsed.version;
    const matches: QueryMatch[] = [];
    let invalid: AppError | null = null;
    let decided = 0;
    for (const p of await advisoryStore.advisoriesForPackage(this.ctx.db, key)) {
      if (p.withdrawn) continue;
      let verdict: MatchVerdict | null;
      try {
        verdict = decide(version, p);
      } catch (err) {
        if (!isAppError(err)) throw err;
        invalid = err;
        continue;
      }
      decided++;
      if (!verdict) continue;
      const earlier = matches.findIndex((m) => m.advisoryId === p.advisoryId);
      if (earlier >= 0 && (matches[earlier]!.status === 'affected' || verdict.status === 'unknown')) continue;
      const match: QueryMatch = { advisoryId: p.advisoryId, aliases: p.aliases, summary: p.summary, severity: p.severity, ...verdict };
      if (earlier >= 0) matches[earlier] = match;
      else matches.push(match);
    }
    if (decided === 0 && invalid) throw invalidField('purl', invalid.message);
    return { purl, package: key, version, matches };
  }
}
