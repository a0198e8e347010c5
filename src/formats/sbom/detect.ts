// Which SBOM format a document is in, from its root members: CycloneDX by `bomFormat` / `specVersion`, SPDX by
// `spdxVersion`. Works on a whole document or on the root members read so far while streaming.
import { invalidField } from '../../core/errors.js';

export const cycloneDxVersions = ['1.4', '1.5', '1.6'] as const;
export type CycloneDxVersion = (typeof cycloneDxVersions)[number];

export type SbomFormat =
  | { kind: 'cyclonedx'; version: CycloneDxVersion }
  | { kind: 'spdx'; version: '2.3' };

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The format named by the root members in `root`. With `complete` false (streaming, more members may follow) it
 * returns null until the markers it needs have been seen; with `complete` true it decides or throws. Throws as soon
 * as a marker is wrong (an unsupported `specVersion`, a `bomFormat` other than CycloneDX), naming that member.
 */
export function detectSbomFormat(root: unknown, complete = true): SbomFormat | null {
  if (!isObj(root)) throw invalidField('/', 'an SBOM must be a JSON object (CycloneDX or SPDX JSON)');
  if (root.spdxVersion !== undefined) {
    const v = root.spdxVersion;
    if (v === 'SPDX-2.3') return { kind: 'spdx', version: '2.3' };
    if (typeof v !== 'string') throw invalidField('/spdxVersion', 'must be a string ("SPDX-2.3")');
    throw invalidField('/spdxVersion', `SPDX ${JSON.stringify(v)} is not supported: SPDX-2.3 JSON is (SPDX 2.2 and 3.0 are not)`);
  }
  if (root.bomFormat !== undefined && root.bomFormat !== 'CycloneDX') {
    throw invalidField('/bomFormat', `must be "CycloneDX" (is ${JSON.stringify(root.bomFormat)})`);
  }
  if (root.specVersion !== undefined) {
    const v = root.specVersion;
    if (typeof v !== 'string') throw invalidField('/specVersion', `must be a string: one of ${cycloneDxVersions.join(', ')}`);
    if (!(cycloneDxVersions as readonly string[]).includes(v)) {
      throw invalidField('/specVersion', `CycloneDX ${JSON.stringify(v)} is not supported: ${cycloneDxVersions.join(', ')} are`);
    }
    // Without bomFormat it is still CycloneDX by its specVersion; the schema then names the missing bomFormat.
    if (root.bomFormat === undefined && !complete) return null;
    return { kind: 'cyclonedx', version: v as CycloneDxVersion };
  }
  if (!complete) return null;
  if (root.bomFormat !== undefined) throw invalidField('/specVersion', `a CycloneDX BOM needs specVersion (${cycloneDxVersions.join(', ')})`);
  throw invalidField('/', 'not an SBOM: expected CycloneDX JSON (bomFormat "CycloneDX" and specVersion) or SPDX 2.3 JSON (spdxVersion "SPDX-2.3")');
}
