// The OSV record (schema 1.6) of a published case, for the OSV export: one `affected` entry per affected
// product, its package named the way OSV names it (the inverse of core/exposure/package-key.ts).
import { invalidField } from '../../core/errors.js';
import { scoreCvss } from '../../core/scoring/cvss.js';
import { csafFileName } from './csaf.js';
import {
  type AdvisoryPublication,
  type ProductPackage,
  type PublicationProduct,
  commitUrl,
  documentUrl,
  productPackage,
  productRepo,
  utcInstant,
} from './model.js';

type Obj = Record<string, unknown>;

export const osvSchemaVersion = '1.6.0';

/**
 * The OSV id of an advisory. OSV ids start with a database prefix registered in the OSV schema (`GHSA-`,
 * `PYSEC-`, …) or with `x_`, which the schema's `prefix` pattern accepts for databases not listed there. Until
 * the clearinghouse's own prefix is registered, its records are `x_<advisory id>`; pass `registered` once it is.
 */
export function osvIdOf(advisoryId: string, registered = false): string {
  return registered ? advisoryId : `x_${advisoryId}`;
}

/** The OSV package of a purl: ecosystem and name as OSV spells them, or null for purl types OSV has no ecosystem for. */
export function osvPackageOf(pkg: ProductPackage): { ecosystem: string; name: string } | null {
  const ns = pkg.namespace;
  const joined = ns ? `${ns}/${pkg.name}` : pkg.name;
  switch (pkg.type) {
    case 'npm':
      return { ecosystem: 'npm', name: joined };
    case 'pypi':
      return { ecosystem: 'PyPI', name: pkg.name };
    case 'maven':
      return ns ? { ecosystem: 'Maven', name: `${ns}:${pkg.name}` } : null;
    case 'golang':
      return { ecosystem: 'Go', name: joined };
    case 'cargo':
      return { ecosystem: 'crates.io', name: pkg.name };
    case 'gem':
      return { ecosystem: 'RubyGems', name: pkg.name };
    case 'nuget':
      return { ecosystem: 'NuGet', name: pkg.name };
    case 'composer':
      return { ecosystem: 'Packagist', name: joined };
    case 'hex':
      return { ecosystem: 'Hex', name: pkg.name };
    case 'pub':
      return { ecosystem: 'Pub', name: pkg.name };
    case 'deb':
      return ns === 'debian' ? { ecosystem: 'Debian', name: pkg.name } : ns === 'ubuntu' ? { ecosystem: 'Ubuntu', name: pkg.name } : null;
    case 'apk':
      return ns === 'alpine' ? { ecosystem: 'Alpine', name: pkg.name } : null;
    default:
      return null;
  }
}

const fullCommit = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

function ranges(product: PublicationProduct, pkg: ProductPackage, index: number): Obj[] {
  const out: Obj[] = product.ranges.map((r, j) => {
    if (r.type === 'GIT' && !r.repo && !pkg.repoUrl) throw invalidField(`/products/${index}/ranges/${j}/repo`, 'a GIT range needs its repository');
    return {
      type: r.type,
      ...(r.type === 'GIT' ? { repo: r.repo ?? pkg.repoUrl } : {}),
      events: r.events.map((e) => ({ ...e })),
    };
  });
  // Known only as "fixed in X": every earlier version is affected (OSV's reading of introduced "0").
  if (osvPackageOf(pkg) && product.ranges.length === 0 && product.affectedVersions.length === 0 && product.fixedVersions.length === 1) {
    out.push({ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: product.fixedVersions[0] }] });
  }
  // A fix commit with no GIT range of its own: every commit before the fix is affected, the OSV convention
  // when the introducing commit is not known.
  const repo = productRepo(product, pkg);
  if (product.fixCommit && repo && fullCommit.test(product.fixCommit) && !product.ranges.some((r) => r.type === 'GIT')) {
    out.push({ type: 'GIT', repo, events: [{ introduced: '0' }, { fixed: product.fixCommit }] });
  }
  return out;
}

/**
 * The OSV record. Products that are not affected or still under investigation have no `affected` entry (OSV
 * lists affected packages only); they are named in `database_specific.statements`. A product whose purl type has
 * no OSV ecosystem is described by its repository (GIT ranges, no `package`), as OSV does for C libraries.
 */
export function toOsvRecord(p: AdvisoryPublication, options: { registeredPrefix?: boolean } = {}): object {
  const affected: Obj[] = [];
  const statements: Obj[] = [];
  const references: Obj[] = [{ type: 'ADVISORY', url: documentUrl(p, csafFileName(p.id)) }];
  if (p.cveId) references.push({ type: 'ADVISORY', url: `https://www.cve.org/CVERecord?id=${p.cveId}` });

  p.products.forEach((product, i) => {
    const pkg = productPackage(product, i);
    const repo = productRepo(product, pkg);
    if (product.fixCommit && repo) {
      const url = commitUrl(repo, product.fixCommit);
      if (url) references.push({ type: 'FIX', url });
    }
    if (product.status === 'known_not_affected' || product.status === 'under_investigation') {
      statements.push({
        purl: product.purlKey,
        status: product.status,
        ...(product.justification ? { justification: product.justification } : {}),
        ...(product.impactStatement ? { impact_statement: product.impactStatement } : {}),
      });
      return;
    }
    const osvPackage = osvPackageOf(pkg);
    const entry: Obj = {};
    if (osvPackage) entry.package = { ...osvPackage, purl: product.purlKey };
    const productRanges = ranges(product, pkg, i);
    if (productRanges.length) entry.ranges = productRanges;
    if (product.affectedVersions.length) entry.versions = [...new Set(product.affectedVersions)];
    if (!osvPackage && !productRanges.some((r) => r.type === 'GIT')) {
      // Neither a package OSV knows nor a repository: nothing a scanner could match on.
      statements.push({ purl: product.purlKey, status: product.status, note: 'no OSV ecosystem or repository for this package' });
      return;
    }
    const specific: Obj = { purl: product.purlKey };
    if (product.fixedVersions.length) specific.fixed_versions = product.fixedVersions;
    if (product.remediation) specific.remediation = product.remediation;
    entry.database_specific = specific;
    affected.push(entry);
  });

  for (const r of p.references) references.push({ type: 'WEB', url: r.url });
  for (const a of p.attestations) references.push({ type: 'EVIDENCE', url: a.url });

  const record: Obj = {
    schema_version: osvSchemaVersion,
    id: osvIdOf(p.id, options.registeredPrefix),
    modified: utcInstant(p.currentReleaseDate, '/currentReleaseDate'),
    published: utcInstant(p.initialReleaseDate, '/initialReleaseDate'),
  };
  if (p.cveId) record.aliases = [p.cveId];
  record.summary = p.title;
  record.details = p.details ? `${p.summary}\n\n${p.details}` : p.summary;
  if (p.cvssVector) {
    const scored = scoreCvss(p.cvssVector, '/cvssVector');
    record.severity = [{ type: scored.version === '4.0' ? 'CVSS_V4' : 'CVSS_V3', score: scored.vector }];
  }
  record.affected = affected;
  record.references = dedupe(references);
  if (p.credits.length) record.credits = p.credits.map((c) => ({ name: c.organization ? `${c.name} (${c.organization})` : c.name }));
  const dbSpecific: Obj = {
    clearinghouse_id: p.id,
    url: documentUrl(p, csafFileName(p.id)),
    cwe_ids: p.cwes.map((c) => `CWE-${c}`),
    attestations: p.attestations.map((a) => ({ kind: a.kind, url: a.url, sha256: a.sha256 })),
  };
  if (p.severity) dbSpecific.severity = p.severity.toUpperCase();
  if (statements.length) dbSpecific.statements = statements;
  record.database_specific = dbSpecific;
  return record;
}

function dedupe(refs: Obj[]): Obj[] {
  const seen = new Set<string>();
  return refs.filter((r) => {
    const key = `${r.type} ${r.url}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
