// SPDX 2.3 packages → SbomComponent: the `purl` external reference, else one derived (package-manager locators,
// a registry download location, name + version with an ecosystem hint, a `cpe23Type` / `cpe22Type` reference).
// Packages reach here already validated against the schema's package definition.
import type { SbomComponent, SbomTally } from './model.js';
import {
  ecosystemFromCpe, ecosystemFromTools, ecosystemFromUrl, normalizePurl, parseCpe, purlFromCpe, purlFromDownloadUrl, purlFromName,
  purlFromSpdxLocator, type Cpe, type EcosystemHint, type ParsedPurl, type PurlSource,
} from './purl-derive.js';

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' && v !== 'NOASSERTION' && v !== 'NONE' ? v : null);

/** The ecosystem implied by the document's creator tools (`creationInfo.creators`, "Tool: name-version"). */
export function spdxDocumentHint(creationInfo: unknown): EcosystemHint | null {
  if (!isObj(creationInfo) || !Array.isArray(creationInfo.creators)) return null;
  const tools: string[] = [];
  for (const c of creationInfo.creators) {
    if (typeof c === 'string' && c.startsWith('Tool:')) tools.push(c.slice(5).trim().replace(/-v?\d[\w.+-]*$/, ''));
  }
  return ecosystemFromTools(tools);
}

interface Identity {
  id: ParsedPurl;
  source: PurlSource;
  hint: string | null;
}

const isPackageManager = (cat: unknown): boolean => cat === 'PACKAGE-MANAGER' || cat === 'PACKAGE_MANAGER';

/** One package → SbomComponent, or null (tallied as unidentified). */
export function spdxPackage(p: Obj, pointer: string, docHint: EcosystemHint | null, tally: SbomTally): SbomComponent | null {
  const name = str(p.name) ?? '';
  const version = str(p.versionInfo);
  const allRefs: unknown[] = Array.isArray(p.externalRefs) ? p.externalRefs : [];
  const refs = allRefs.filter(isObj);
  const tried: string[] = [];
  let found: Identity | null = null;

  let sawPurl = false;
  for (let i = 0; i < allRefs.length && !found; i++) {
    const r = allRefs[i];
    if (!isObj(r) || r.referenceType !== 'purl' || typeof r.referenceLocator !== 'string') continue;
    sawPurl = true;
    const id = normalizePurl(r.referenceLocator);
    if (id) {
      found = { id, source: 'purl', hint: null };
    } else {
      tally.invalidPurl(`${pointer}/externalRefs/${i}/referenceLocator`, r.referenceLocator);
      tried.push(`purl ${JSON.stringify(r.referenceLocator)} is not a valid package URL`);
    }
  }
  if (!sawPurl) tried.push('no purl reference');
  // The first CPE that parses (the first one given, if none does).
  let cpeText: string | null = null;
  let cpe: Cpe | null = null;
  for (const r of refs) {
    if ((r.referenceType !== 'cpe23Type' && r.referenceType !== 'cpe22Type') || typeof r.referenceLocator !== 'string') continue;
    cpeText ??= r.referenceLocator;
    const parsed = parseCpe(r.referenceLocator);
    if (parsed) {
      cpe = parsed;
      cpeText = r.referenceLocator;
      break;
    }
  }
  for (const r of refs) {
    if (found) break;
    if (!isPackageManager(r.referenceCategory) || typeof r.referenceType !== 'string' || typeof r.referenceLocator !== 'string') continue;
    const id = purlFromSpdxLocator(r.referenceType, r.referenceLocator);
    if (id) found = { id, source: 'locator', hint: `${r.referenceType} locator ${r.referenceLocator}` };
  }
  const download = str(p.downloadLocation);
  if (!found && download) {
    const id = purlFromDownloadUrl(download);
    if (id) found = { id, source: 'locator', hint: `downloadLocation ${download}` };
  }
  if (!found) {
    const eco = (download ? ecosystemFromUrl(download) : null) ?? (cpe && cpeText ? ecosystemFromCpe(cpe, cpeText) : null) ?? docHint;
    if (eco) {
      const id = purlFromName(eco, name, null, version);
      if (id) found = { id, source: 'name', hint: eco.from };
      else tried.push(version ? `name ${JSON.stringify(name)} does not make a ${eco.type} purl` : `ecosystem ${eco.type} (${eco.from}) but no versionInfo`);
    } else {
      tried.push('no ecosystem hint for name and versionInfo');
    }
  }
  if (!found && cpe && cpeText) {
    const id = purlFromCpe(cpe, version);
    if (id) found = { id, source: 'cpe', hint: `CPE ${cpeText}` };
    else tried.push(`CPE ${cpeText} is not specific enough`);
  }
  if (!found) {
    tally.notIdentified({ pointer, name: name || null, version, reason: tried.join('; ') });
    return null;
  }
  const out: SbomComponent = {
    purl: found.id.purl,
    purlKey: found.id.purlKey,
    derived: found.source !== 'purl',
    purlSource: found.source,
    hint: found.hint,
    name,
    version,
    matchVersion: found.id.version ?? version,
    ref: str(p.SPDXID),
    scope: null,
    cpe: cpeText,
    pointer,
  };
  tally.identified(out);
  return out;
}
