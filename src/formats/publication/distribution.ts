// How CSAF documents are distributed (CSAF 2.0 §7): the provider metadata served at
// /.well-known/csaf/provider-metadata.json, the ROLIE feed listing the documents, and the hash files next to each.
import { createHash } from 'node:crypto';
import { invalidField } from '../../core/errors.js';
import type { AdvisoryPublication } from './model.js';

type Obj = Record<string, unknown>;

const csafSchemaUrl = 'https://docs.oasis-open.org/csaf/csaf/v2.0/csaf_json_schema.json';

export type TlpLabel = 'WHITE' | 'GREEN' | 'AMBER' | 'RED' | 'UNLABELED';

export interface ProviderMetadataInput {
  /** Where this document is served: https://<host>/.well-known/csaf/provider-metadata.json */
  canonicalUrl: string;
  publisher: AdvisoryPublication['publisher'];
  feeds: Array<{ url: string; summary?: string; tlpLabel?: TlpLabel }>;
  publicOpenpgpKeys: Array<{ fingerprint: string; url: string }>;
  /** ISO 8601 instant with a zone. */
  lastUpdated: string;
  listOnAggregators?: boolean;
  mirrorOnAggregators?: boolean;
}

/**
 * The provider metadata (CSAF 2.0 §7.1.7).
 *
 * Role: what we serve satisfies a `csaf_trusted_provider` (§7.2.3), provided the deployment uses TLS
 * (requirement 3, the operator's part): valid documents with spec file names (1, 2), TLP:CLEAR documents free to
 * read (4; we publish nothing else, so 5 holds trivially), this file at the well-known URL (7, 9), a ROLIE feed
 * (15; the service and category documents of 16 and 17 are optional), and — what makes a provider trusted —
 * `.sha256`/`.sha512` files (18), OpenPGP `.asc` signatures (19) and the public key listed here (20). With no
 * key listed, requirement 20 fails, so the role falls back to `csaf_provider`.
 */
export function providerMetadata(input: ProviderMetadataInput): object {
  if (!/\/provider-metadata\.json$/.test(input.canonicalUrl)) {
    throw invalidField('canonicalUrl', 'must end in /provider-metadata.json');
  }
  input.feeds.forEach((f, i) => {
    if (!/\.json$/.test(f.url)) throw invalidField(`feeds/${i}/url`, 'a ROLIE feed URL must end in .json');
  });
  input.publicOpenpgpKeys.forEach((k, i) => {
    if (!/^[0-9a-fA-F]{40,}$/.test(k.fingerprint)) throw invalidField(`publicOpenpgpKeys/${i}/fingerprint`, 'must be a hex fingerprint of at least 40 digits');
  });
  const publisher: Obj = { category: 'coordinator', name: input.publisher.name, namespace: input.publisher.namespace };
  if (input.publisher.contactDetails) publisher.contact_details = input.publisher.contactDetails;
  if (input.publisher.issuingAuthority) publisher.issuing_authority = input.publisher.issuingAuthority;
  const doc: Obj = {
    canonical_url: input.canonicalUrl,
    last_updated: input.lastUpdated,
    list_on_CSAF_aggregators: input.listOnAggregators ?? true,
    metadata_version: '2.0',
    mirror_on_CSAF_aggregators: input.mirrorOnAggregators ?? true,
    publisher,
    role: input.publicOpenpgpKeys.length ? 'csaf_trusted_provider' : 'csaf_provider',
  };
  if (input.feeds.length) {
    doc.distributions = [
      {
        rolie: {
          feeds: input.feeds.map((f) => ({
            ...(f.summary ? { summary: f.summary } : {}),
            tlp_label: f.tlpLabel ?? 'WHITE',
            url: f.url,
          })),
        },
      },
    ];
  }
  if (input.publicOpenpgpKeys.length) {
    doc.public_openpgp_keys = input.publicOpenpgpKeys.map((k) => ({ fingerprint: k.fingerprint.toUpperCase(), url: k.url }));
  }
  return doc;
}

export interface RolieEntryInput {
  /** The CSAF tracking id. */
  id: string;
  title: string;
  /** Where the CSAF document is served; the hash and signature files are this URL plus .sha256, .sha512, .asc. */
  url: string;
  published: string;
  updated: string;
  summary?: string;
}

export interface RolieFeedInput {
  /** Feed id, also its file name: <baseUrl>/<feedId>.json */
  feedId: string;
  title: string;
  baseUrl: string;
  entries: RolieEntryInput[];
  /** When the feed last changed; by default the latest `updated` of its entries (required for an empty feed). */
  updated?: string;
}

/** The URL of a ROLIE feed document. */
export function rolieFeedUrl(baseUrl: string, feedId: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/${feedId}.json`;
}

/** A ROLIE feed in Atom JSON (RFC 8322) as CSAF 2.0 §7.1.15 shows it, newest entries first. */
export function rolieFeed(input: RolieFeedInput): object {
  const latest = input.entries.map((e) => e.updated).sort((a, b) => Date.parse(b) - Date.parse(a))[0];
  const updated = input.updated ?? latest;
  if (!updated) throw invalidField('updated', 'an empty feed needs its `updated` instant');
  const entries = [...input.entries].sort((a, b) => Date.parse(b.updated) - Date.parse(a.updated) || a.id.localeCompare(b.id));
  return {
    feed: {
      id: input.feedId,
      title: input.title,
      link: [{ rel: 'self', href: rolieFeedUrl(input.baseUrl, input.feedId) }],
      category: [{ scheme: 'urn:ietf:params:rolie:category:information-type', term: 'csaf' }],
      updated,
      entry: entries.map((e) => ({
        id: e.id,
        title: e.title,
        link: [
          { rel: 'self', href: e.url },
          { rel: 'hash', href: `${e.url}.sha256` },
          { rel: 'hash', href: `${e.url}.sha512` },
          { rel: 'signature', href: `${e.url}.asc` },
        ],
        published: e.published,
        updated: e.updated,
        ...(e.summary ? { summary: { content: e.summary } } : {}),
        content: { type: 'application/json', src: e.url },
        format: { schema: csafSchemaUrl, version: '2.0' },
      })),
    },
  };
}

/**
 * The `.sha256` and `.sha512` files of a document (CSAF 2.0 §7.1.18): the hex digest, then the file name, as
 * `sha256sum`/`sha512sum` print them (`<hex>  <file>\n`), so `sha256sum -c` checks them.
 */
export function digestFiles(bytes: Uint8Array, fileName: string): { sha256: string; sha512: string } {
  if (/[\n\r\\]/.test(fileName)) throw invalidField('fileName', 'must not contain line breaks or backslashes');
  const line = (algorithm: 'sha256' | 'sha512') => `${createHash(algorithm).update(bytes).digest('hex')}  ${fileName}\n`;
  return { sha256: line('sha256'), sha512: line('sha512') };
}
