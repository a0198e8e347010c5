// Deduplication of one batch of findings against everything stored: compute features and lookup keys,
// read the candidates of the whole batch in one indexed query, decide each finding in order (earlier
// findings of the batch are candidates for later ones), write records, findings and keys in bulk.
import { v7 as timeOrderedId } from 'uuid';
import { digestOf } from '../core/canonical-json.js';
import { decideLink, fingerprintFinding, lookupKeys, MemoryCandidateIndex, type FindingFeatures } from '../core/dedup/index.js';
import type { DedupReason, ReportedFinding, TargetRef } from '../core/findings.js';
import type { LogEvent } from '../core/log/entry.js';
import * as findingStore from '../store/findings.js';
import type { Db, ServiceContext } from './context.js';

export interface BatchItem {
  finding: ReportedFinding;
  targetRef: TargetRef | null;
  targetId: string | null;
  scanRunId: string | null;
}

/** One stored finding and the record it joined, for what follows linking (corroboration, reproduction). */
export interface LinkedRow {
  findingId: string;
  vulnId: string;
  orgId: string;
  targetId: string | null;
  reason: DedupReason;
  finding: ReportedFinding;
}

export interface LinkSummary {
  findings: number;
  newVulnerabilities: number;
  duplicates: number;
  /** How many findings were linked for each reason. */
  reasons: Partial<Record<DedupReason, number>>;
  /** Findings of this document that were already stored (a resubmission or a resumed job). */
  skipped: number;
  /** Results that report no problem (SARIF kind pass or notApplicable), not stored as findings. */
  ignored: number;
}

export function emptySummary(): LinkSummary {
  return { findings: 0, newVulnerabilities: 0, duplicates: 0, reasons: {}, skipped: 0, ignored: 0 };
}

export function addSummary(into: LinkSummary, s: LinkSummary): void {
  into.findings += s.findings;
  into.newVulnerabilities += s.newVulnerabilities;
  into.duplicates += s.duplicates;
  into.skipped += s.skipped;
  into.ignored += s.ignored;
  for (const [r, n] of Object.entries(s.reasons)) into.reasons[r as DedupReason] = (into.reasons[r as DedupReason] ?? 0) + (n ?? 0);
}

/** Candidates read per busy similarity key (package, file, LSH band): bounded so one popular package stays cheap. */
const candidatesPerKey = 1000;

// Findings and records get time-ordered (v7) UUIDs: new rows land at the right edge of the primary-key and
// record indexes instead of on random pages, which keeps large intakes from slowing as the tables grow.
export async function linkBatch(
  trx: Db,
  _ctx: ServiceContext,
  meta: { orgId: string; documentId: string; submittedAt: Date },
  items: BatchItem[],
  opts: { skipExisting?: boolean } = {},
): Promise<{ summary: LinkSummary; event: LogEvent | null; linked: LinkedRow[] }> {
  const summary = emptySummary();
  if (items.length === 0) return { summary, event: null, linked: [] };
  await findingStore.lockDedup(trx);
  let unseen = items;
  if (opts.skipExisting) {
    const existing = await findingStore.existingPointers(trx, meta.documentId, items.map((i) => i.finding.pointer));
    unseen = items.filter((i) => !existing.has(i.finding.pointer));
    summary.skipped = items.length - unseen.length;
    if (unseen.length === 0) return { summary, event: null, linked: [] };
  }
  const prepared = unseen.map((item) => {
    const features = fingerprintFinding(item.finding, item.targetRef);
    return { item, features, keys: lookupKeys(features) };
  });
  const index = new MemoryCandidateIndex();
  const allKeys = [...new Set(prepared.flatMap((p) => p.keys))];
  for (const c of await findingStore.candidatesByKeys(trx, allKeys, candidatesPerKey)) {
    index.add(c.vulnId, c.features as FindingFeatures);
  }
  const newVulns: findingStore.NewVuln[] = [];
  const rows: findingStore.NewFinding[] = [];
  for (const { item, features, keys } of prepared) {
    const decision = decideLink(features, index.candidates(keys));
    let vulnId: string;
    let reason: DedupReason;
    let score: number;
    if (decision) {
      ({ vulnId, reason, score } = decision);
      summary.duplicates++;
    } else {
      vulnId = timeOrderedId();
      reason = 'new';
      score = 1;
      const vuln: findingStore.NewVuln = {
        id: vulnId,
        displayId: '',
        kind: item.finding.kind,
        title: item.finding.title.slice(0, 500),
        targetId: item.targetId,
        severity: item.finding.severity,
        cwes: item.finding.cwes,
        createdAt: meta.submittedAt,
      };
      newVulns.push(vuln);
    }
    index.add(vulnId, features);
    summary.reasons[reason] = (summary.reasons[reason] ?? 0) + 1;
    rows.push({
      id: timeOrderedId(),
      documentId: meta.documentId,
      orgId: meta.orgId,
      scanRunId: item.scanRunId,
      pointer: item.finding.pointer,
      kind: item.finding.kind,
      source: item.finding.source,
      title: item.finding.title.slice(0, 500),
      severity: item.finding.severity,
      cwes: item.finding.cwes,
      targetId: item.targetId,
      data: item.finding,
      features,
      vulnId,
      reason,
      score,
      submittedAt: meta.submittedAt,
      keys,
    });
  }
  const year = meta.submittedAt.getUTCFullYear();
  const numbers = await findingStore.nextVulnNumbers(trx, newVulns.length);
  newVulns.forEach((v, i) => (v.displayId = `CHV-${year}-${numbers[i]}`));
  await findingStore.insertVulns(trx, newVulns);
  await findingStore.insertFindings(trx, rows);
  summary.findings = rows.length;
  summary.newVulnerabilities = newVulns.length;
  // One log entry per batch: which finding went to which record and why, by hash.
  const event: LogEvent = {
    action: 'findings.link',
    objectType: 'document',
    objectId: meta.documentId,
    stateSha256: digestOf(rows.map((r) => [r.id, r.pointer, r.vulnId, r.reason, r.score])),
  };
  const linked = rows.map((r) => ({ findingId: r.id, vulnId: r.vulnId, orgId: r.orgId, targetId: r.targetId, reason: r.reason as DedupReason, finding: r.data as ReportedFinding }));
  return { summary, event, linked };
}
