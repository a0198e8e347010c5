// CSAF 2.0 documents of a published case: the security advisory and the VEX document, with a product tree
// built from the products' package URLs, so that both pass the CSAF validator's schema and mandatory tests.
// @ts-expect-error TS7016: the validator library ships JavaScript without declarations; the shape is below.
import { weaknesses as cweCatalogue } from '@secvisogram/csaf-validator-lib/cwe.js';
import { invalidField } from '../../core/errors.js';
import { cvssRating, scoreCvss } from '../../core/scoring/cvss.js';
import {
  type AdvisoryPublication,
  type ProductPackage,
  type PublicationProduct,
  type VexJustification,
  commitUrl,
  documentUrl,
  productPackage,
  productRepo,
  rangeIntervals,
  vendorName,
  versionedPurl,
} from './model.js';

type Obj = Record<string, unknown>;

// ---------- names ----------

/**
 * The file name of a CSAF document (CSAF 2.0 §5.1): the tracking id in lower case, every run of characters
 * other than a–z, 0–9, `+` and `-` replaced by one `_`, then `.json`.
 */
export function csafFileName(trackingId: string): string {
  return `${trackingId.toLowerCase().replace(/[^+\-a-z0-9]+/g, '_')}.json`;
}

/** The VEX document is a second CSAF document of the same publisher, so it needs its own tracking id. */
export function csafVexTrackingId(advisoryId: string): string {
  return `${advisoryId}-VEX`;
}

/**
 * CWE names as the validator's mandatory test 6.1.11 checks them (the name must be the catalogue's, exactly).
 * The catalogue is the one the validator library bundles, so the two cannot disagree.
 */
const cweNames: ReadonlyMap<string, string> = new Map(
  (cweCatalogue as ReadonlyArray<{ id: string; name: string }>).map((w) => [w.id, w.name]),
);

/** `CWE-787` → its catalogue name, or null when the catalogue does not know the id. */
export function cweName(cwe: number): string | null {
  return cweNames.get(`CWE-${cwe}`) ?? null;
}

// ---------- the product tree ----------

type Role = 'listed' | 'fixed';

interface TreeProduct {
  productIndex: number;
  id: string;
  role: Role;
}

interface ProductTree {
  tree: Obj;
  /** Product ids of each input product, in input order. */
  byProduct: TreeProduct[][];
}

const versScheme: Record<string, string> = {
  npm: 'npm', pypi: 'pypi', maven: 'maven', golang: 'golang', cargo: 'cargo', gem: 'gem', nuget: 'nuget',
  composer: 'composer', deb: 'deb', rpm: 'rpm', apk: 'alpine', hex: 'hex', pub: 'pub', conan: 'conan',
};

/** One interval of a SEMVER/ECOSYSTEM range as a `vers` range (CSAF 2.0 §3.1.2.3.3 recommends vers). */
function versRange(scheme: string, introduced: string, end: ReturnType<typeof rangeIntervals>[number]['end']): string {
  const constraints: string[] = [];
  if (introduced !== '0') constraints.push(`>=${introduced}`);
  if (end) constraints.push(end.kind === 'last_affected' ? `<=${end.version}` : `<${end.version}`);
  return `vers:${scheme}/${constraints.length ? constraints.join('|') : '*'}`;
}

function vendorOf(product: PublicationProduct, pkg: ProductPackage): string {
  return vendorName(product, pkg) ?? product.name;
}

function displayName(vendor: string, product: PublicationProduct): string {
  return product.name.toLowerCase().startsWith(vendor.toLowerCase()) ? product.name : `${vendor} ${product.name}`;
}

function buildProductTree(p: AdvisoryPublication): ProductTree {
  let next = 0;
  const newId = () => `CSAFPID-${String(++next).padStart(4, '0')}`;
  const vendors = new Map<string, Obj[]>();
  const fullProductNames: Obj[] = [];
  const byProduct: TreeProduct[][] = [];

  p.products.forEach((product, productIndex) => {
    const pkg = productPackage(product, productIndex);
    const vendor = vendorOf(product, pkg);
    const label = displayName(vendor, product);
    const entries: TreeProduct[] = [];
    const branches: Obj[] = [];

    const both = product.fixedVersions.filter((v) => product.affectedVersions.includes(v));
    if (both.length) throw invalidProduct(productIndex, 'fixedVersions', `${both.join(', ')} also listed as affected`);

    const versionProduct = (version: string, role: Role) => {
      const id = newId();
      entries.push({ productIndex, id, role });
      branches.push({
        category: 'product_version',
        name: version,
        product: { name: `${label} ${version}`, product_id: id, product_identification_helper: { purl: versionedPurl(pkg, version) } },
      });
    };

    for (const version of unique(product.affectedVersions)) versionProduct(version, 'listed');
    if (product.affectedVersions.length === 0) {
      // No exact versions: the ranges (as vers), or failing those the product as a whole.
      for (const range of product.ranges) {
        if (range.type === 'GIT') continue;
        const scheme = range.type === 'SEMVER' ? 'semver' : versScheme[pkg.type];
        if (!scheme) continue;
        for (const interval of rangeIntervals(range)) {
          const id = newId();
          const vers = versRange(scheme, interval.introduced, interval.end);
          entries.push({ productIndex, id, role: 'listed' });
          branches.push({ category: 'product_version_range', name: vers, product: { name: `${label} ${vers}`, product_id: id } });
        }
      }
      if (entries.length === 0) {
        const id = newId();
        entries.push({ productIndex, id, role: 'listed' });
        fullProductNames.push({ name: label, product_id: id, product_identification_helper: { purl: product.purlKey } });
      }
    }
    for (const version of unique(product.fixedVersions)) versionProduct(version, 'fixed');

    if (branches.length) {
      const list = vendors.get(vendor) ?? [];
      list.push({ category: 'product_name', name: product.name, branches });
      vendors.set(vendor, list);
    }
    byProduct.push(entries);
  });

  const tree: Obj = {};
  if (vendors.size) {
    tree.branches = [...vendors].map(([name, branches]) => ({ category: 'vendor', name, branches }));
  }
  if (fullProductNames.length) tree.full_product_names = fullProductNames;
  return { tree, byProduct };
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

function invalidProduct(index: number, field: string, message: string) {
  return invalidField(`/products/${index}/${field}`, message);
}

// ---------- the vulnerability ----------

type StatusName = 'known_affected' | 'known_not_affected' | 'fixed' | 'under_investigation';

function productStatus(p: AdvisoryPublication, tree: ProductTree): Partial<Record<StatusName, string[]>> {
  const status: Partial<Record<StatusName, string[]>> = {};
  const add = (name: StatusName, id: string) => (status[name] ??= []).push(id);
  p.products.forEach((product, i) => {
    for (const entry of tree.byProduct[i] ?? []) {
      if (product.status === 'known_not_affected') add('known_not_affected', entry.id);
      else if (entry.role === 'fixed') add('fixed', entry.id);
      else if (product.status === 'under_investigation') add('under_investigation', entry.id);
      else add('known_affected', entry.id); // known_affected, or fixed: the listed versions are the affected ones
    }
  });
  return status;
}

function affectedIds(p: AdvisoryPublication, tree: ProductTree, i: number): string[] {
  const product = p.products[i];
  if (!product || product.status === 'known_not_affected' || product.status === 'under_investigation') return [];
  return (tree.byProduct[i] ?? []).filter((e) => e.role === 'listed').map((e) => e.id);
}

/** One action statement per affected product (VEX requires one for every known_affected id, test 6.1.27.10). */
function remediations(p: AdvisoryPublication, tree: ProductTree): Obj[] {
  const out: Obj[] = [];
  p.products.forEach((product, i) => {
    const ids = affectedIds(p, tree, i);
    if (ids.length === 0) return;
    const pkg = productPackage(product, i);
    const repo = productRepo(product, pkg);
    const fixUrl = product.fixCommit && repo ? commitUrl(repo, product.fixCommit) : null;
    const sentences: string[] = [];
    if (product.fixedVersions.length) sentences.push(`Update ${product.name} to ${orList(product.fixedVersions)} or later.`);
    if (product.fixCommit) sentences.push(`The fix is commit ${product.fixCommit}${repo ? ` in ${repo}` : ''}.`);
    if (product.remediation) sentences.push(product.remediation);
    if (product.fixedVersions.length || product.fixCommit) {
      out.push({ category: 'vendor_fix', details: sentences.join(' '), product_ids: ids, ...(fixUrl ? { url: fixUrl } : {}) });
    } else if (product.status === 'fixed') {
      out.push({ category: 'vendor_fix', details: product.remediation || `A fixed release of ${product.name} is available.`, product_ids: ids });
    } else if (product.remediation) {
      out.push({ category: 'mitigation', details: product.remediation, product_ids: ids });
    } else {
      out.push({ category: 'none_available', details: `No fix for ${product.name} is available yet.`, product_ids: ids });
    }
  });
  return out;
}

function orList(values: string[]): string {
  return values.length <= 1 ? (values[0] ?? '') : `${values.slice(0, -1).join(', ')} or ${values[values.length - 1]}`;
}

/**
 * Impact statements for products that are not affected (test 6.1.27.9): a flag per justification (at most one
 * per product, test 6.1.33) and an `impact` threat carrying the statement when there is one, or when there is
 * no justification either.
 */
function notAffectedStatements(p: AdvisoryPublication, tree: ProductTree): { flags: Obj[]; threats: Obj[] } {
  const flagged = new Map<VexJustification, string[]>();
  const threats: Obj[] = [];
  p.products.forEach((product, i) => {
    if (product.status !== 'known_not_affected') return;
    const ids = (tree.byProduct[i] ?? []).map((e) => e.id);
    if (product.justification) flagged.set(product.justification, [...(flagged.get(product.justification) ?? []), ...ids]);
    if (product.impactStatement || !product.justification) {
      threats.push({
        category: 'impact',
        details: product.impactStatement || `${product.name} is not affected by this vulnerability.`,
        product_ids: ids,
      });
    }
  });
  return { flags: [...flagged].map(([label, product_ids]) => ({ label, product_ids })), threats };
}

const severityWord = (s: string) => s.toUpperCase();

function scores(p: AdvisoryPublication, status: Partial<Record<StatusName, string[]>>): Obj[] {
  if (!p.cvssVector) return [];
  const scored = scoreCvss(p.cvssVector, '/cvssVector');
  const products = status.known_affected ?? [];
  if (scored.version === '4.0' || products.length === 0) return [];
  const cvss: Obj = {
    version: scored.version,
    vectorString: scored.vector,
    baseScore: scored.baseScore,
    baseSeverity: severityWord(scored.baseSeverity),
  };
  if (scored.temporalScore !== null) {
    cvss.temporalScore = scored.temporalScore;
    cvss.temporalSeverity = severityWord(cvssRating(scored.temporalScore));
  }
  if (scored.environmentalScore !== null) {
    cvss.environmentalScore = scored.environmentalScore;
    cvss.environmentalSeverity = severityWord(cvssRating(scored.environmentalScore));
  }
  return [{ cvss_v3: cvss, products }];
}

function vulnerability(p: AdvisoryPublication, tree: ProductTree): Obj {
  const status = productStatus(p, tree);
  const notes: Obj[] = [{ category: 'summary', title: 'Summary', text: p.summary }];
  if (p.details) notes.push({ category: 'details', title: 'Technical details', text: p.details });
  const named = p.cwes.filter((c) => cweName(c) !== null);
  const primaryCwe = named[0];
  const otherCwes = p.cwes.filter((c) => c !== primaryCwe);
  if (otherCwes.length) {
    notes.push({
      category: 'other',
      title: 'Further weaknesses',
      text: `Also classified as ${otherCwes.map((c) => `CWE-${c}${cweName(c) ? ` (${cweName(c)})` : ''}`).join(', ')}.`,
    });
  }
  const scored = p.cvssVector ? scoreCvss(p.cvssVector, '/cvssVector') : null;
  if (scored?.version === '4.0') {
    const s = scored;
    notes.push({
      category: 'other',
      title: 'CVSS v4.0',
      text: `CVSS v4.0 vector ${s.vector}: ${s.nomenclature} score ${s.score.toFixed(1)} (${s.severity}). CSAF 2.0 has no field for CVSS v4.0 scores; the CVE and OSV records carry it.`,
    });
  }

  const v: Obj = {};
  if (p.cveId) v.cve = p.cveId;
  if (primaryCwe !== undefined) v.cwe = { id: `CWE-${primaryCwe}`, name: cweName(primaryCwe) };
  v.ids = [{ system_name: p.publisher.name, text: p.id }];
  v.title = p.title;
  v.notes = notes;
  v.release_date = p.initialReleaseDate;
  if (p.credits.length) {
    v.acknowledgments = p.credits.map((c) => ({ names: [c.name], ...(c.organization ? { organization: c.organization } : {}) }));
  }
  v.product_status = status;
  const fixes = remediations(p, tree);
  if (fixes.length) v.remediations = fixes;
  const cvssScores = scores(p, status);
  if (cvssScores.length) v.scores = cvssScores;
  const { flags, threats } = notAffectedStatements(p, tree);
  if (flags.length) v.flags = flags;
  if (threats.length) v.threats = threats;
  return v;
}

// ---------- the document ----------

function revisionHistory(p: AdvisoryPublication): Array<{ number: string; date: string; summary: string }> {
  if (p.revisions.length === 0) return [{ number: '1', date: p.initialReleaseDate, summary: 'Initial release.' }];
  return p.revisions.map((r) => ({ number: r.number, date: r.date, summary: r.summary }));
}

/** The highest revision number, compared as integers or dotted numbers (test 6.1.16 wants it as the version). */
function latestRevision(revisions: Array<{ number: string }>): string {
  const parts = (n: string) => n.split(/[+-]/)[0]!.split('.').map(Number);
  return revisions
    .map((r) => r.number)
    .reduce((a, b) => {
      const [x, y] = [parts(a), parts(b)];
      for (let i = 0; i < Math.max(x.length, y.length); i++) {
        const d = (x[i] ?? 0) - (y[i] ?? 0);
        if (d !== 0) return d > 0 ? a : b;
      }
      return a;
    });
}

function references(p: AdvisoryPublication, selfUrl: string): Obj[] {
  const refs: Obj[] = [{ category: 'self', summary: 'URL of this CSAF document', url: selfUrl }];
  if (p.cveId) refs.push({ category: 'external', summary: `CVE record ${p.cveId}`, url: `https://www.cve.org/CVERecord?id=${p.cveId}` });
  for (const r of p.references) refs.push({ category: 'external', summary: r.summary, url: r.url });
  for (const a of p.attestations) {
    const what = a.kind === 'reproduction' ? 'reproduction' : 'fix-verification';
    refs.push({ category: 'external', summary: `Signed ${what} attestation (SHA-256 ${a.sha256})`, url: a.url });
  }
  return refs;
}

function document(p: AdvisoryPublication, category: 'csaf_security_advisory' | 'csaf_vex', trackingId: string, title: string): Obj {
  const revisions = revisionHistory(p);
  const publisher: Obj = { category: 'coordinator', name: p.publisher.name, namespace: p.publisher.namespace };
  if (p.publisher.contactDetails) publisher.contact_details = p.publisher.contactDetails;
  if (p.publisher.issuingAuthority) publisher.issuing_authority = p.publisher.issuingAuthority;
  const doc: Obj = {};
  if (p.severity) doc.aggregate_severity = { text: p.severity[0]!.toUpperCase() + p.severity.slice(1) };
  Object.assign(doc, {
    category,
    csaf_version: '2.0',
    // CSAF 2.0 knows only TLP 1.0 labels; TLP 2.0's CLEAR is the former WHITE (FIRST TLP 2.0, "TLP:CLEAR").
    distribution: { text: 'TLP:CLEAR. Recipients may share this document without restriction.', tlp: { label: 'WHITE', url: 'https://www.first.org/tlp/' } },
    lang: 'en',
    notes: [{ category: 'summary', title: 'Summary', text: p.summary }],
    publisher,
    references: references(p, documentUrl(p, csafFileName(trackingId))),
    title,
    tracking: {
      current_release_date: p.currentReleaseDate,
      generator: { date: p.currentReleaseDate, engine: { name: 'Clearinghouse' } },
      id: trackingId,
      initial_release_date: p.initialReleaseDate,
      revision_history: revisions,
      status: 'final',
      version: latestRevision(revisions),
    },
  });
  return doc;
}

/** The CSAF 2.0 security advisory of a published case (tracking id = the advisory id). */
export function toCsafAdvisory(p: AdvisoryPublication): object {
  const tree = buildProductTree(p);
  return {
    document: document(p, 'csaf_security_advisory', p.id, p.title),
    product_tree: tree.tree,
    vulnerabilities: [vulnerability(p, tree)],
  };
}

/**
 * The CSAF 2.0 VEX document of a published case: a status for every product, an impact statement for each one
 * not affected, an action statement for each one affected (CSAF 2.0 §4.5, tests 6.1.27.4–10).
 */
export function toCsafVex(p: AdvisoryPublication): object {
  const tree = buildProductTree(p);
  const trackingId = csafVexTrackingId(p.id);
  return {
    document: document(p, 'csaf_vex', trackingId, `${p.title} (VEX)`),
    product_tree: tree.tree,
    vulnerabilities: [vulnerability(p, tree)],
  };
}
