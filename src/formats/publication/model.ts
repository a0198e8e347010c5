// What a published disclosure case says, in the one shape every publication builder (CSAF, CVE, OSV) reads,
// and how a product's package URL reads: its ecosystem, repository and versioned purls.
import { PackageURL } from 'packageurl-js';
import { invalidField } from '../../core/errors.js';

export type VexStatus = 'known_affected' | 'known_not_affected' | 'fixed' | 'under_investigation';

export type VexJustification =
  | 'component_not_present'
  | 'vulnerable_code_not_present'
  | 'vulnerable_code_cannot_be_controlled_by_adversary'
  | 'vulnerable_code_not_in_execute_path'
  | 'inline_mitigations_already_exist';

export type RangeEvent = Record<'introduced' | 'fixed' | 'last_affected' | 'limit', string>;

export interface PublicationRange {
  type: 'SEMVER' | 'ECOSYSTEM' | 'GIT';
  repo?: string;
  /** Each event carries one of introduced, fixed, last_affected or limit, as in OSV. */
  events: Array<Partial<RangeEvent>>;
}

export interface PublicationProduct {
  /** package URL without version, e.g. pkg:npm/leftpad or pkg:github/madler/zlib */
  purlKey: string;
  name: string; // display name
  vendor: string | null; // maintainer organization name
  /** exact affected versions named by reporters or the case */
  affectedVersions: string[];
  /** OSV-style ranges when known: events with introduced/fixed/last_affected, type SEMVER|ECOSYSTEM|GIT */
  ranges: PublicationRange[];
  fixedVersions: string[];
  fixCommit: string | null;
  /** per-product VEX statement of the case */
  status: VexStatus;
  justification?: VexJustification;
  impactStatement?: string;
  remediation?: string; // what users should do
}

export interface PublicationAttestation {
  kind: 'reproduction' | 'fix-verification';
  url: string;
  sha256: string;
}

export interface AdvisoryPublication {
  id: string; // clearinghouse advisory id, e.g. CHA-2026-0001 (CSAF tracking id and OSV id)
  cveId: string | null; // assigned from the reserved pool at publication
  title: string;
  summary: string; // one paragraph, public
  details: string | null; // full technical detail (null while withheld by policy)
  cwes: number[];
  /** CVSS:3.1/… or CVSS:4.0/… (CSAF 2.0 has no CVSS 4.0 field: 4.0 goes only where the format allows it) */
  cvssVector: string | null;
  severity: 'critical' | 'high' | 'medium' | 'low' | 'none' | null;
  products: PublicationProduct[];
  credits: Array<{ name: string; organization: string | null }>;
  references: Array<{ url: string; summary: string }>;
  attestations: PublicationAttestation[];
  publisher: { name: string; namespace: string /* https URL */; contactDetails: string; issuingAuthority: string };
  /** ISO 8601 instants with a zone */
  initialReleaseDate: string;
  currentReleaseDate: string;
  revisions: Array<{ number: string; date: string; summary: string }>;
  /** base URL where the advisory documents are served, e.g. https://clearinghouse.example/advisories */
  baseUrl: string;
  /** the CVE program's assigner for the CVE record */
  assigner: { orgId: string /* uuid */; shortName: string };
}

// ---------- reading a product's package URL ----------

/** Purl types whose namespace/name is a repository on a public forge. */
const forges: Record<string, string> = {
  github: 'https://github.com',
  gitlab: 'https://gitlab.com',
  bitbucket: 'https://bitbucket.org',
};

export interface ProductPackage {
  type: string;
  namespace: string | null;
  name: string;
  /** The source repository when the purl names one on a forge (pkg:github/…), else null. */
  repoUrl: string | null;
}

/** Reads `products[index].purlKey`, refusing one that is not a package URL. */
export function productPackage(product: PublicationProduct, index: number): ProductPackage {
  let purl: PackageURL;
  try {
    purl = PackageURL.fromString(product.purlKey);
  } catch (err) {
    throw invalidField(`/products/${index}/purlKey`, `not a package URL: ${(err as Error).message}`);
  }
  if (purl.version) throw invalidField(`/products/${index}/purlKey`, 'must name the package without a version');
  const namespace = purl.namespace ?? null;
  const forge = forges[purl.type];
  return {
    type: purl.type,
    namespace,
    name: purl.name,
    repoUrl: forge && namespace ? `${forge}/${namespace}/${purl.name}` : null,
  };
}

/**
 * Who makes the product: the case's vendor, else the last segment of the purl namespace (`@acme` → `acme`,
 * `github.com/acme` → `acme`, `madler` → `madler`), else null.
 */
export function vendorName(product: PublicationProduct, pkg: ProductPackage): string | null {
  if (product.vendor) return product.vendor;
  const last = pkg.namespace?.split('/').pop()?.replace(/^@/, '');
  return last || null;
}

/** The package URL of one version of the product. */
export function versionedPurl(pkg: ProductPackage, version: string): string {
  return new PackageURL(pkg.type, pkg.namespace ?? undefined, pkg.name, version, undefined, undefined).toString();
}

/** The web page of a commit in a forge repository, or null when the forge's URL layout is not known. */
export function commitUrl(repoUrl: string, commit: string): string | null {
  const base = repoUrl.replace(/\/+$/, '').replace(/\.git$/, '');
  if (base.startsWith('https://github.com/')) return `${base}/commit/${commit}`;
  if (base.startsWith('https://gitlab.com/')) return `${base}/-/commit/${commit}`;
  if (base.startsWith('https://bitbucket.org/')) return `${base}/commits/${commit}`;
  return null;
}

/** The repository a product's fix lives in: a GIT range's repo, else the forge the purl names. */
export function productRepo(product: PublicationProduct, pkg: ProductPackage): string | null {
  return product.ranges.find((r) => r.type === 'GIT' && r.repo)?.repo ?? pkg.repoUrl;
}

/** Where a document of this advisory is served. */
export function documentUrl(p: AdvisoryPublication, fileName: string): string {
  return `${p.baseUrl.replace(/\/+$/, '')}/${fileName}`;
}

/** An instant as RFC 3339 UTC (`…Z`), as OSV and CVE want it; refuses text that is not an instant. */
export function utcInstant(value: string, field: string): string {
  const ms = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value) || Number.isNaN(ms)) {
    throw invalidField(field, 'must be an ISO 8601 instant with a time zone');
  }
  return new Date(ms).toISOString();
}

/** One interval of an OSV-style range: `introduced` up to `fixed`/`limit` (exclusive) or `last_affected`. */
export interface RangeInterval {
  introduced: string;
  end: { kind: 'fixed' | 'last_affected' | 'limit'; version: string } | null;
}

/** Pairs a range's events into intervals, in the order given (OSV's own reading of `events`). */
export function rangeIntervals(range: PublicationRange): RangeInterval[] {
  const out: RangeInterval[] = [];
  let open: string | null = null;
  for (const event of range.events) {
    if (event.introduced !== undefined) {
      if (open !== null) out.push({ introduced: open, end: null });
      open = event.introduced;
      continue;
    }
    const kind = event.fixed !== undefined ? 'fixed' : event.last_affected !== undefined ? 'last_affected' : event.limit !== undefined ? 'limit' : null;
    if (kind === null) continue;
    out.push({ introduced: open ?? '0', end: { kind, version: event[kind] as string } });
    open = null;
  }
  if (open !== null) out.push({ introduced: open, end: null });
  return out;
}
