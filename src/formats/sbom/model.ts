// What SBOM ingest hands on: components keyed by package URL, and a summary that accounts for every component,
// including those that could not be keyed (counted and sampled, never silently dropped).
import type { SbomFormat } from './detect.js';
import type { PurlSource } from './purl-derive.js';

export interface SbomComponent {
  /** Canonical package URL (as packageurl-js writes it), qualifiers included. */
  purl: string;
  /** The package: the purl without version, qualifiers or subpath (as `purlKey` in core/targets). */
  purlKey: string;
  /** True when the document stated no usable purl and this one was derived; `purlSource` says from what. */
  derived: boolean;
  purlSource: PurlSource;
  /** For a derived purl, what named its ecosystem or identity (e.g. `property aquasecurity:trivy:PkgType=npm`). */
  hint: string | null;
  name: string;
  version: string | null;
  /** The version advisories are matched by: the purl's (in its ecosystem's spelling), else `version`. */
  matchVersion: string | null;
  /** CycloneDX `bom-ref` / SPDX `SPDXID`. */
  ref: string | null;
  /** CycloneDX `scope` (required, optional, excluded); null for SPDX. */
  scope: string | null;
  /** The first CPE the document gives for it. */
  cpe: string | null;
  /** JSON Pointer of the component in the document (`/metadata/component` for a CycloneDX BOM's subject). */
  pointer: string;
}

export interface UnidentifiedComponent {
  pointer: string;
  name: string | null;
  version: string | null;
  reason: string;
}

export interface SbomSummary {
  format: SbomFormat;
  /** CycloneDX `serialNumber` / SPDX `documentNamespace`. */
  documentId: string | null;
  /** CycloneDX `metadata.component` / SPDX document `name`. */
  subject: { name: string; version: string | null; purl: string | null } | null;
  /** Components handed on (each with a purl). */
  components: number;
  /** Of those, how many have a derived purl, and from what. */
  derived: number;
  bySource: Record<PurlSource, number>;
  /** CycloneDX components found inside other components. */
  nested: number;
  /** Components with nothing to key them by: counted here, the first `sampleLimit` of them listed. */
  unidentified: number;
  unidentifiedSamples: UnidentifiedComponent[];
  /** Stated purls that packageurl-js refused (the component then fell back to derivation). */
  invalidPurls: number;
  invalidPurlSamples: Array<{ pointer: string; purl: string }>;
  /** Items of each root array read (components, packages, dependencies, relationships …). */
  arrays: Record<string, number>;
}

/** Counts components as they are identified or not. */
export class SbomTally {
  components = 0;
  derived = 0;
  nested = 0;
  readonly bySource: Record<PurlSource, number> = { purl: 0, 'bom-ref': 0, locator: 0, name: 0, cpe: 0 };
  unidentified = 0;
  readonly unidentifiedSamples: UnidentifiedComponent[] = [];
  invalidPurls = 0;
  readonly invalidPurlSamples: Array<{ pointer: string; purl: string }> = [];

  constructor(private readonly sampleLimit: number) {}

  identified(c: SbomComponent): void {
    this.components++;
    this.bySource[c.purlSource]++;
    if (c.derived) this.derived++;
  }

  notIdentified(u: UnidentifiedComponent): void {
    this.unidentified++;
    if (this.unidentifiedSamples.length < this.sampleLimit) this.unidentifiedSamples.push(u);
  }

  invalidPurl(pointer: string, purl: string): void {
    this.invalidPurls++;
    if (this.invalidPurlSamples.length < this.sampleLimit) this.invalidPurlSamples.push({ pointer, purl });
  }
}
