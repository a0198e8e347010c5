// Publication and distribution: when a case is published, its CSAF advisory and VEX, OSV record and CVE record
// are built from the case, checked by their validators (a document that fails stops the publication), signed
// with the clearinghouse's OpenPGP key and stored as served. Distribution is what CSAF expects: provider
// metadata, a ROLIE feed, .asc/.sha256/.sha512 beside every document; plus an OSV export and OSV's query API.
import { zipSync, strToU8 } from 'fflate';
import { AppError, invalidField, notFound } from '../core/errors.js';
import { packageKeyOfAffected } from '../core/exposure/package-key.js';
import { decide } from '../core/exposure/match.js';
import { csafFileName, csafVexTrackingId, toCsafAdvisory, toCsafVex } from '../formats/publication/csaf.js';
import { validateCsaf } from '../formats/publication/csaf-validate.js';
import { toCveRecord } from '../formats/publication/cve-record.js';
import { digestFiles, providerMetadata, rolieFeed, rolieFeedUrl } from '../formats/publication/distribution.js';
import type { AdvisoryPublication, PublicationProduct } from '../formats/publication/model.js';
import { generateSigningKey, signDetached } from '../formats/publication/openpgp.js';
import { osvIdOf, toOsvRecord } from '../formats/publication/osv-record.js';
import { newDataKey, openText, sealText, unwrapDataKey } from '../secrets/envelope.js';
import * as advisoryStore from '../store/advisories.js';
import * as caseStore from '../store/cases.js';
import type { CaseRow } from '../store/cases.js';
import * as orgStore from '../store/orgs.js';
import * as pubStore from '../store/publications.js';
import type { PublishedDocument } from '../store/publications.js';
import type { Db, ServiceContext } from './context.js';

export interface PublisherSettings {
  /** Where this clearinghouse is reached from outside, e.g. https://clearinghouse.example (no trailing slash). */
  publicUrl: string;
  name: string;
  contactDetails: string;
}

export const documentKinds = ['csaf', 'vex', 'osv', 'cve'] as const;
export type DocumentKind = (typeof documentKinds)[number];

const encoder = new TextEncoder();

export interface AdvisorySummary {
  id: string;
  cveId: string | null;
  case: string;
  title: string;
  publishedAt: string;
  documents: Record<string, string>;
}

export class PublicationService {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly publisher: PublisherSettings,
  ) {}

  private get base(): string {
    return this.publisher.publicUrl.replace(/\/+$/, '');
  }

  /** The current signing key, made (and stored sealed) the first time one is needed. */
  private async signingKey(trx: Db): Promise<{ fingerprint: string; armoredPrivate: string }> {
    let k = await pubStore.currentKey(trx);
    if (!k) {
      const made = await generateSigningKey({ name: this.publisher.name, email: this.publisher.contactDetails.includes('@') ? this.publisher.contactDetails : 'csaf@clearinghouse.invalid' });
      const fingerprint = made.fingerprint.toUpperCase();
      const { key, wrapped } = newDataKey(this.ctx.masterKey, `openpgp:${fingerprint}`);
      await pubStore.insertKeyIfNone(trx, { fingerprint, armoredPublic: made.armoredPublic, dataKey: wrapped, privateSealed: sealText(key, made.armoredPrivate, `openpgp:${fingerprint}`) }, this.ctx.clock.now());
      k = (await pubStore.currentKey(trx))!;
    }
    const key = unwrapDataKey(this.ctx.masterKey, k.dataKey, `openpgp:${k.fingerprint}`);
    return { fingerprint: k.fingerprint, armoredPrivate: openText(key, k.privateSealed, `openpgp:${k.fingerprint}`) };
  }

  /** What a published case says, from the case, its records, findings, products and attestations. */
  private async publicationOf(trx: Db, c: CaseRow, advisoryId: string, cveId: string | null, now: Date): Promise<AdvisoryPublication> {
    const vulns = await caseStore.caseVulns(trx, c.id);
    const findings = await caseStore.findingsOf(trx, vulns.map((v) => v.id));
    const products = await caseStore.products(trx, c.id);
    const participants = await caseStore.participants(trx, c.id);
    const opener = await orgStore.findOrg(trx, c.openedByOrg);
    const vector = findings.map((f) => f.data.cvssVector).find((x): x is string => typeof x === 'string') ?? null;
    const severities = ['critical', 'high', 'medium', 'low', 'none'] as const;
    const severity = severities.find((s) => vulns.some((v) => v.severity === s)) ?? null;
    const attestations = await pubStore.attestationsOf(trx, vulns.map((v) => v.id));
    const detailReleased = c.detailAt !== null && c.detailAt.getTime() <= now.getTime();
    const pubProducts: PublicationProduct[] = products.map((p) => ({
      purlKey: p.purlKey,
      name: p.name,
      vendor: participants.find((x) => x.orgId === p.maintainerOrg && x.role === 'maintainer')?.orgName ?? null,
      affectedVersions: p.affectedVersions,
      ranges: [],
      fixedVersions: c.fixedVersions,
      fixCommit: c.fixCommit,
      status: p.status,
      ...(p.justification ? { justification: p.justification as NonNullable<PublicationProduct['justification']> } : {}),
      ...(p.impactStatement ? { impactStatement: p.impactStatement } : {}),
      ...(c.fixedVersions.length ? { remediation: `Update to ${c.fixedVersions.join(' or ')}.` } : c.fixCommit ? { remediation: `Apply commit ${c.fixCommit}.` } : {}),
    }));
    const cwes = [...new Set(vulns.flatMap((v) => v.cwes))].sort((a, b) => a - b);
    const iso = now.toISOString();
    return {
      id: advisoryId,
      cveId,
      title: c.title,
      summary: `${c.title}. ${vulns.length} record(s) validated by the clearinghouse (${vulns.map((v) => v.displayId).join(', ')}); affected: ${products.map((p) => `${p.name} ${p.affectedVersions.join(', ')}`).join('; ')}.`,
      // full technical detail only once policy allows it (a fix available for long enough)
      details: detailReleased ? [...new Set(findings.map((f) => (typeof f.data.description === 'string' ? f.data.description : null)).filter((x): x is string => !!x))].join('\n\n') || null : null,
      cwes,
      cvssVector: vector,
      severity,
      products: pubProducts,
      credits: [...new Set(participants.filter((p) => p.role === 'reporter').map((p) => p.orgName))].map((name) => ({ name, organization: name })),
      references: [{ url: `${this.base}/v1/advisories/${advisoryId}`, summary: 'the advisory at the clearinghouse' }],
      attestations: attestations.map((a) => ({ kind: a.kind, url: `${this.base}/v1/advisories/${advisoryId}/attestations/${a.id}`, sha256: digestFiles(encoder.encode(JSON.stringify(a.attestation)), 'x').sha256.slice(0, 64) })),
      publisher: { name: this.publisher.name, namespace: this.base, contactDetails: this.publisher.contactDetails, issuingAuthority: 'AI Cybersecurity Clearinghouse under the June 2026 executive order' },
      initialReleaseDate: iso,
      currentReleaseDate: iso,
      revisions: [{ number: '1', date: iso, summary: 'Initial publication' }],
      baseUrl: `${this.base}/v1/advisories`,
      assigner: { orgId: c.openedByOrg, shortName: (opener?.name ?? 'clearinghouse').replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, 32) },
    };
  }

  /**
   * Builds, validates, signs and stores the documents of a case being published, inside its transaction. A
   * CSAF document that fails a mandatory test stops the publication with the failures named.
   */
  async publish(trx: Db, c: CaseRow, advisoryId: string, cveId: string | null): Promise<void> {
    const now = this.ctx.clock.now();
    const p = await this.publicationOf(trx, c, advisoryId, cveId, now);
    const docs: Partial<Record<DocumentKind, object>> = { csaf: toCsafAdvisory(p), vex: toCsafVex(p), osv: toOsvRecord(p) };
    if (cveId) docs.cve = toCveRecord(p);
    for (const kind of ['csaf', 'vex'] as const) {
      const v = await validateCsaf(docs[kind]);
      if (!v.valid) throw new AppError('unprocessable', `the ${kind === 'csaf' ? 'CSAF advisory' : 'CSAF VEX'} failed validation: ${v.errors.slice(0, 5).map((e) => `${e.test ?? 'schema'} ${e.instancePath}: ${e.message}`).join('; ')}`);
    }
    const key = await this.signingKey(trx);
    const documents: Record<string, PublishedDocument> = {};
    for (const [kind, doc] of Object.entries(docs)) {
      const text = `${JSON.stringify(doc, null, 2)}\n`;
      const bytes = encoder.encode(text);
      const digests = digestFiles(bytes, this.fileName(advisoryId, kind as DocumentKind));
      documents[kind] = { text, asc: await signDetached(key.armoredPrivate, bytes), sha256: digests.sha256, sha512: digests.sha512 };
    }
    await pubStore.insertPublication(trx, { advisoryId, caseId: c.id, cveId, publishedAt: now, revision: 1, documents });
  }

  fileName(advisoryId: string, kind: DocumentKind): string {
    if (kind === 'csaf') return csafFileName(advisoryId);
    if (kind === 'vex') return csafFileName(csafVexTrackingId(advisoryId));
    return `${advisoryId.toLowerCase()}.${kind}.json`;
  }

  private summary(p: pubStore.Publication): AdvisorySummary {
    const csaf = JSON.parse(p.documents.csaf!.text) as { document: { title: string } };
    return {
      id: p.advisoryId,
      cveId: p.cveId,
      case: p.caseId,
      title: csaf.document.title,
      publishedAt: p.publishedAt.toISOString(),
      documents: Object.fromEntries(Object.keys(p.documents).map((k) => [k, `${this.base}/v1/advisories/${p.advisoryId}/${k}.json`])),
    };
  }

  async list(page: { limit: number; offset: number }): Promise<AdvisorySummary[]> {
    return (await pubStore.listPublications(this.ctx.db, page)).map((p) => this.summary(p));
  }

  async get(advisoryId: string): Promise<AdvisorySummary> {
    const p = await pubStore.findPublication(this.ctx.db, advisoryId.toUpperCase());
    if (!p) throw notFound('advisory', advisoryId);
    return this.summary(p);
  }

  /** One served file: the document, or its `.asc`, `.sha256` or `.sha512`. */
  async file(advisoryId: string, kind: string, suffix: '' | '.asc' | '.sha256' | '.sha512'): Promise<{ body: string; type: string }> {
    const p = await pubStore.findPublication(this.ctx.db, advisoryId.toUpperCase());
    const d = p?.documents[kind];
    if (!p || !d) throw notFound('advisory document', `${advisoryId}/${kind}`);
    if (suffix === '.asc') return { body: d.asc, type: 'application/pgp-signature' };
    if (suffix === '.sha256') return { body: d.sha256, type: 'text/plain; charset=utf-8' };
    if (suffix === '.sha512') return { body: d.sha512, type: 'text/plain; charset=utf-8' };
    return { body: d.text, type: 'application/json' };
  }

  /** A CSAF document by its file name under /.well-known/csaf/white/<year>/. */
  async csafFile(year: string, name: string): Promise<{ body: string; type: string }> {
    const m = /^(.*?\.json)(\.asc|\.sha256|\.sha512)?$/.exec(name);
    if (!m) throw notFound('CSAF document', name);
    for (const p of await pubStore.listPublications(this.ctx.db, { limit: 10_000, offset: 0 })) {
      if (String(p.publishedAt.getUTCFullYear()) !== year) continue;
      for (const kind of ['csaf', 'vex'] as const) {
        if (this.fileName(p.advisoryId, kind) === m[1]) return this.file(p.advisoryId, kind, (m[2] ?? '') as '' | '.asc');
      }
    }
    throw notFound('CSAF document', `${year}/${name}`);
  }

  csafUrl(p: pubStore.Publication, kind: 'csaf' | 'vex'): string {
    return `${this.base}/.well-known/csaf/white/${p.publishedAt.getUTCFullYear()}/${this.fileName(p.advisoryId, kind)}`;
  }

  async providerMetadata(): Promise<object> {
    const keys = await pubStore.allKeys(this.ctx.db);
    const latest = (await pubStore.listPublications(this.ctx.db, { limit: 1, offset: 0 }))[0];
    return providerMetadata({
      canonicalUrl: `${this.base}/.well-known/csaf/provider-metadata.json`,
      publisher: { name: this.publisher.name, namespace: this.base, contactDetails: this.publisher.contactDetails, issuingAuthority: 'AI Cybersecurity Clearinghouse' },
      feeds: [{ url: rolieFeedUrl(`${this.base}/.well-known/csaf`, 'feed-tlp-white'), summary: 'published advisories', tlpLabel: 'WHITE' }],
      publicOpenpgpKeys: keys.map((k) => ({ fingerprint: k.fingerprint, url: `${this.base}/.well-known/csaf/openpgp/${k.fingerprint}.asc` })),
      lastUpdated: (latest?.publishedAt ?? new Date(0)).toISOString(),
    });
  }

  async feed(): Promise<object> {
    const pubs = await pubStore.listPublications(this.ctx.db, { limit: 10_000, offset: 0 });
    return rolieFeed({
      feedId: 'feed-tlp-white',
      title: `${this.publisher.name} CSAF advisories (TLP:CLEAR)`,
      baseUrl: `${this.base}/.well-known/csaf`,
      entries: pubs.flatMap((p) =>
        (['csaf', 'vex'] as const).map((kind) => {
          const doc = JSON.parse(p.documents[kind]!.text) as { document: { title: string; tracking: { id: string; initial_release_date: string; current_release_date: string } } };
          return { id: doc.document.tracking.id, title: doc.document.title, url: this.csafUrl(p, kind), published: doc.document.tracking.initial_release_date, updated: doc.document.tracking.current_release_date };
        }),
      ),
      updated: (pubs[0]?.publishedAt ?? new Date(0)).toISOString(),
    });
  }

  async openpgpKey(fingerprint: string): Promise<string> {
    const k = await pubStore.publicKey(this.ctx.db, fingerprint);
    if (!k) throw notFound('OpenPGP key', fingerprint);
    return k;
  }

  async attestation(advisoryId: string, reproductionId: string): Promise<unknown> {
    if (!/^[0-9a-f-]{36}$/i.test(reproductionId)) throw notFound('attestation', reproductionId);
    const a = await pubStore.attestationOf(this.ctx.db, advisoryId.toUpperCase(), reproductionId);
    if (!a) throw notFound('attestation', reproductionId);
    return a;
  }

  /** Every published OSV record in one zip, as osv.dev exports a database. */
  async osvExport(): Promise<Uint8Array> {
    const files: Record<string, Uint8Array> = {};
    for (const p of await pubStore.listPublications(this.ctx.db, { limit: 100_000, offset: 0 })) {
      const rec = JSON.parse(p.documents.osv!.text) as { id: string };
      files[`${rec.id}.json`] = strToU8(p.documents.osv!.text);
    }
    return zipSync(files);
  }

  /**
   * OSV's query API (POST /v1/query at api.osv.dev): a package by purl or ecosystem and name, and a version;
   * answers the published clearinghouse advisories and the imported records that affect it.
   */
  async osvQuery(body: { package?: { purl?: unknown; name?: unknown; ecosystem?: unknown }; version?: unknown; commit?: unknown }): Promise<{ vulns: unknown[] }> {
    const pkg = body.package;
    if (!pkg || typeof pkg !== 'object') throw invalidField('/package', 'give package.purl, or package.ecosystem and package.name');
    if (body.commit !== undefined) throw invalidField('/commit', 'queries by commit are not supported; give a version');
    let key: string | null = null;
    let version = typeof body.version === 'string' ? body.version : null;
    let ecosystem: string | null = null;
    let name: string | null = null;
    if (typeof pkg.purl === 'string') {
      const { PackageURL } = await import('packageurl-js');
      let parsed;
      try {
        parsed = PackageURL.fromString(pkg.purl);
      } catch (err) {
        throw invalidField('/package/purl', `not a package URL: ${(err as Error).message}`);
      }
      if (parsed.version) {
        if (version) throw invalidField('/version', 'give the version in the purl or in version, not both');
        version = parsed.version;
      }
      key = new PackageURL(parsed.type, parsed.namespace ?? undefined, parsed.name, undefined, undefined, undefined).toString();
    } else {
      if (typeof pkg.ecosystem !== 'string' || typeof pkg.name !== 'string') throw invalidField('/package', 'give package.purl, or package.ecosystem and package.name');
      ecosystem = pkg.ecosystem;
      name = pkg.name;
      key = packageKeyOfAffected({ ecosystem, name, purl: null });
    }
    if (!version) throw invalidField('/version', 'give the version (queries by commit are not supported)');
    const vulns: unknown[] = [];
    if (key) {
      for (const p of await advisoryStore.advisoriesForPackage(this.ctx.db, key)) {
        if (p.withdrawn) continue;
        let verdict;
        try {
          verdict = decide(version, p);
        } catch {
          continue;
        }
        if (verdict?.status === 'affected' && !vulns.some((v) => (v as { id: string }).id === p.advisoryId)) vulns.push(await advisoryStore.advisoryRecord(this.ctx.db, p.advisoryId));
      }
    }
    // the clearinghouse's own published advisories, by the exact versions they name
    for (const p of await pubStore.listPublications(this.ctx.db, { limit: 100_000, offset: 0 })) {
      const rec = JSON.parse(p.documents.osv!.text) as { id: string; affected?: Array<{ package?: { ecosystem: string; name: string; purl?: string }; versions?: string[] }> };
      const hit = (rec.affected ?? []).some((a) => {
        const k = a.package ? packageKeyOfAffected({ ecosystem: a.package.ecosystem, name: a.package.name, purl: a.package.purl ?? null }) : null;
        return k === key && (a.versions ?? []).includes(version!);
      });
      if (hit) vulns.push(rec);
    }
    return { vulns };
  }

  static osvId(advisoryId: string): string {
    return osvIdOf(advisoryId);
  }
}
