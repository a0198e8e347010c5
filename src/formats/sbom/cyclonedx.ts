// CycloneDX 1.4–1.6 components → SbomComponent: the stated purl, else one derived (purl-shaped bom-ref, registry
// download URL, name + version with an ecosystem hint, CPE), nested `components` of components flattened.
// Components reach here already validated against the schema's component definition.
import type { SbomComponent, SbomTally } from './model.js';
import {
  ecosystemFromCpe, ecosystemFromGroup, ecosystemFromProperty, ecosystemFromTools, ecosystemFromUrl, normalizePurl, parseCpe, purlFromCpe,
  purlFromDownloadUrl, purlFromName, type EcosystemHint, type ParsedPurl, type PurlSource,
} from './purl-derive.js';

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** Names of the tools that made the BOM (1.4: `metadata.tools` array; 1.5+: `{ components, services }`). */
export function cycloneDxToolNames(metadata: unknown): string[] {
  if (!isObj(metadata)) return [];
  const tools = metadata.tools;
  const list: unknown[] = Array.isArray(tools) ? tools : isObj(tools) ? [...(Array.isArray(tools.components) ? tools.components : []), ...(Array.isArray(tools.services) ? tools.services : [])] : [];
  const names: string[] = [];
  for (const t of list) {
    if (!isObj(t) || typeof t.name !== 'string') continue;
    const owner = str(t.vendor) ?? str(t.group);
    names.push(owner ? `${owner}/${t.name}` : t.name);
  }
  return names;
}

/** The ecosystem the BOM's generator implies for components without one of their own (see purl-derive). */
export function cycloneDxDocumentHint(metadata: unknown): EcosystemHint | null {
  return ecosystemFromTools(cycloneDxToolNames(metadata));
}

interface Identity {
  id: ParsedPurl;
  source: PurlSource;
  hint: string | null;
}

function ecosystemOf(c: Obj, group: string | null, cpeHint: EcosystemHint | null, docHint: EcosystemHint | null): EcosystemHint | null {
  if (Array.isArray(c.properties)) {
    for (const p of c.properties) {
      if (isObj(p) && typeof p.name === 'string' && typeof p.value === 'string') {
        const h = ecosystemFromProperty(p.name, p.value);
        if (h) return h;
      }
    }
  }
  if (Array.isArray(c.externalReferences)) {
    for (const r of c.externalReferences) {
      if (isObj(r) && (r.type === 'distribution' || r.type === 'distribution-intake') && typeof r.url === 'string') {
        const h = ecosystemFromUrl(r.url);
        if (h) return h;
      }
    }
  }
  if (cpeHint) return cpeHint;
  const g = group ? ecosystemFromGroup(group) : null;
  if (g?.type === 'npm') return g;
  if (docHint) return docHint;
  return g;
}

function identify(c: Obj, pointer: string, docHint: EcosystemHint | null, tally: SbomTally, tried: string[]): Identity | null {
  const purl = str(c.purl);
  if (purl) {
    const id = normalizePurl(purl);
    if (id) return { id, source: 'purl', hint: null };
    tally.invalidPurl(`${pointer}/purl`, purl);
    tried.push(`purl ${JSON.stringify(purl)} is not a valid package URL`);
  } else {
    tried.push('no purl');
  }
  const ref = str(c['bom-ref']);
  if (ref?.startsWith('pkg:')) {
    const id = normalizePurl(ref);
    if (id) return { id, source: 'bom-ref', hint: `bom-ref ${ref}` };
  }
  const name = str(c.name) ?? '';
  const version = str(c.version);
  const group = str(c.group);
  if (Array.isArray(c.externalReferences)) {
    for (const r of c.externalReferences) {
      if (isObj(r) && (r.type === 'distribution' || r.type === 'distribution-intake') && typeof r.url === 'string') {
        const id = purlFromDownloadUrl(r.url);
        if (id) return { id, source: 'locator', hint: `distribution URL ${r.url}` };
      }
    }
  }
  const cpeText = str(c.cpe);
  const cpe = cpeText ? parseCpe(cpeText) : null;
  const eco = ecosystemOf(c, group, cpe && cpeText ? ecosystemFromCpe(cpe, cpeText) : null, docHint);
  if (eco) {
    const id = purlFromName(eco, name, group, version);
    if (id) return { id, source: 'name', hint: eco.from };
    tried.push(version ? `name ${JSON.stringify(name)} does not make a ${eco.type} purl` : `ecosystem ${eco.type} (${eco.from}) but no version`);
  } else {
    tried.push('no ecosystem hint for name and version');
  }
  if (cpe && cpeText) {
    const id = purlFromCpe(cpe, version);
    if (id) return { id, source: 'cpe', hint: `CPE ${cpeText}` };
    tried.push(`CPE ${cpeText} is not specific enough`);
  } else if (cpeText) {
    tried.push(`CPE ${JSON.stringify(cpeText)} does not parse`);
  }
  return null;
}

/** One component (its nested `components` ignored) → SbomComponent, or null (tallied as unidentified). */
export function cycloneDxComponent(c: Obj, pointer: string, docHint: EcosystemHint | null, tally: SbomTally): SbomComponent | null {
  const tried: string[] = [];
  const found = identify(c, pointer, docHint, tally, tried);
  const name = str(c.name) ?? '';
  const version = str(c.version);
  if (!found) {
    const type = str(c.type);
    tally.notIdentified({ pointer, name: name || null, version, reason: `${type ? `${type}: ` : ''}${tried.join('; ')}` });
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
    ref: str(c['bom-ref']),
    scope: str(c.scope),
    cpe: str(c.cpe),
    pointer,
  };
  tally.identified(out);
  return out;
}

/** A component and, depth first, every component nested in it, each with its pointer. */
export function collectCycloneDx(c: Obj, pointer: string, docHint: EcosystemHint | null, tally: SbomTally, out: SbomComponent[], nested = false): void {
  if (nested) tally.nested++;
  const one = cycloneDxComponent(c, pointer, docHint, tally);
  if (one) out.push(one);
  const children = c.components;
  if (Array.isArray(children)) {
    for (let i = 0; i < children.length; i++) {
      const child = children[i];
      if (isObj(child)) collectCycloneDx(child, `${pointer}/components/${i}`, docHint, tally, out, true);
    }
  }
}
