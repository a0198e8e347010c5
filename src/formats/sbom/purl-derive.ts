// Package URLs for SBOM components: the stated purl normalized by packageurl-js, or one derived from what else the
// component says (a purl-shaped bom-ref, an SPDX package-manager locator, name + version with an ecosystem hint, or
// a CPE), so that every usable component is keyed by purl and a derived one says so.
//
// Derivation never guesses an ecosystem from a bare name: name + version becomes a purl only with a hint that names
// the ecosystem (a tool property, a registry URL, an npm scope, a dotted Maven group, the CPE's target software, or a
// single-ecosystem generator tool). A CPE without such a hint becomes `pkg:generic/<vendor>/<product>@<version>`:
// exact, though it will only match advisories keyed the same way.
import { PackageURL } from 'packageurl-js';

/** Where a component's purl came from. `purl` is stated (CycloneDX `purl`, SPDX `purl` external reference). */
export type PurlSource = 'purl' | 'bom-ref' | 'locator' | 'name' | 'cpe';

/** A purl type and, for distributions, its namespace (`deb` + `debian`). */
export interface EcosystemHint {
  type: string;
  namespace: string | null;
  /** What said so, for the component's `hint` (e.g. `property aquasecurity:trivy:PkgType=npm`). */
  from: string;
}

export interface ParsedPurl {
  /** Canonical text, as packageurl-js writes it. */
  purl: string;
  /** Canonical purl without version, qualifiers or subpath: the package (as `purlKey` in core/targets). */
  purlKey: string;
  type: string;
  /** The purl's version, decoded: what advisories are matched by. */
  version: string | null;
}

/** A parsed, normalized purl, or null when the text is not one (packageurl-js throws more than PurlError). */
export function normalizePurl(text: string): ParsedPurl | null {
  if (typeof text !== 'string' || !text.startsWith('pkg:')) return null;
  try {
    return described(PackageURL.fromString(text.trim()));
  } catch {
    return null;
  }
}

function described(p: PackageURL): ParsedPurl {
  const key = new PackageURL(p.type, p.namespace ?? undefined, p.name, undefined, undefined, undefined).toString();
  return { purl: p.toString(), purlKey: key, type: p.type, version: p.version ?? null };
}

function build(type: string, namespace: string | null, name: string, version: string | null): ParsedPurl | null {
  if (!name) return null;
  try {
    return described(new PackageURL(type, namespace || undefined, name, version || undefined, undefined, undefined));
  } catch {
    return null;
  }
}

// ---------- CPE ----------

export interface Cpe {
  part: string;
  vendor: string;
  product: string;
  /** null for ANY (`*`) or NA (`-`). */
  version: string | null;
  targetSw: string | null;
}

const concrete = (v: string | undefined): string | null => (v === undefined || v === '' || v === '*' || v === '-' ? null : v);

/** Splits a CPE 2.3 formatted string on unescaped colons and unquotes its values; also takes a CPE 2.2 URI. */
export function parseCpe(text: string): Cpe | null {
  if (typeof text !== 'string') return null;
  let fields: string[];
  if (text.startsWith('cpe:2.3:')) {
    fields = [];
    let cur = '';
    for (let i = 8; i < text.length; i++) {
      const ch = text[i] as string;
      if (ch === '\\' && i + 1 < text.length) {
        cur += text[++i];
      } else if (ch === ':') {
        fields.push(cur);
        cur = '';
      } else {
        cur += ch;
      }
    }
    fields.push(cur);
    if (fields.length !== 11) return null;
  } else if (text.startsWith('cpe:/')) {
    try {
      fields = text.slice(5).split(':').map((f) => decodeURIComponent(f));
    } catch {
      return null;
    }
    // 2.2 packs edition, sw_edition, target_sw… into `edition` as ~a~b~c~d~e.
    const edition = fields[5];
    if (edition?.startsWith('~')) {
      const packed = edition.split('~');
      fields[8] = packed[3] ?? '';
    }
  } else {
    return null;
  }
  const [part, vendor, product, version] = fields;
  const v = concrete(vendor);
  const p = concrete(product);
  if (!part || !v || !p) return null;
  return { part, vendor: v, product: p, version: concrete(version), targetSw: concrete(fields[8]) };
}

/**
 * `pkg:generic/<vendor>/<product>@<version>` for an application or operating-system CPE that names its vendor and
 * product; the version is the CPE's, else the component's. Null when the CPE is a pattern (vendor or product ANY),
 * hardware, or no version is known.
 */
export function purlFromCpe(cpe: Cpe, componentVersion: string | null): ParsedPurl | null {
  if (cpe.part !== 'a' && cpe.part !== 'o') return null;
  const version = cpe.version ?? componentVersion;
  if (!version) return null;
  return build('generic', cpe.vendor, cpe.product, version);
}

// ---------- ecosystem hints ----------

const targetSwTypes: Record<string, string> = {
  'node.js': 'npm', nodejs: 'npm', npm: 'npm', python: 'pypi', pypi: 'pypi', ruby: 'gem', rails: 'gem', rubygems: 'gem',
  go: 'golang', golang: 'golang', rust: 'cargo', cargo: 'cargo', '.net': 'nuget', nuget: 'nuget', maven: 'maven',
  php: 'composer', composer: 'composer', dart: 'pub', elixir: 'hex', erlang: 'hex',
};

/** The ecosystem a CPE's target_sw names (node.js → npm …), or null. */
export function ecosystemFromCpe(cpe: Cpe, cpeText: string): EcosystemHint | null {
  const t = cpe.targetSw && targetSwTypes[cpe.targetSw.toLowerCase()];
  return t ? { type: t, namespace: null, from: `CPE target_sw ${cpe.targetSw} in ${cpeText}` } : null;
}

// Package-type names written by Trivy (aquasecurity:trivy:PkgType), Syft (syft:package:type) and CycloneDX
// generators (cdx:<ecosystem>:… properties), mapped to purl types; distributions carry their namespace.
const toolTypes: Record<string, [string, string | null]> = {
  npm: ['npm', null], yarn: ['npm', null], pnpm: ['npm', null], 'node-pkg': ['npm', null], bun: ['npm', null],
  pip: ['pypi', null], pipenv: ['pypi', null], poetry: ['pypi', null], uv: ['pypi', null], 'python-pkg': ['pypi', null], python: ['pypi', null],
  bundler: ['gem', null], gemspec: ['gem', null], gem: ['gem', null],
  cargo: ['cargo', null], 'rust-binary': ['cargo', null], 'rust-crate': ['cargo', null],
  composer: ['composer', null], 'composer-vendor': ['composer', null], 'php-composer': ['composer', null],
  jar: ['maven', null], pom: ['maven', null], gradle: ['maven', null], sbt: ['maven', null], 'java-archive': ['maven', null], maven: ['maven', null],
  gomod: ['golang', null], gobinary: ['golang', null], 'go-module': ['golang', null], golang: ['golang', null],
  nuget: ['nuget', null], 'dotnet-core': ['nuget', null], 'packages-props': ['nuget', null], dotnet: ['nuget', null],
  conan: ['conan', null], cocoapods: ['cocoapods', null], pub: ['pub', null], 'dart-pub': ['pub', null], hex: ['hex', null],
  alpine: ['apk', 'alpine'], wolfi: ['apk', 'wolfi'], chainguard: ['apk', 'chainguard'],
  debian: ['deb', 'debian'], ubuntu: ['deb', 'ubuntu'],
  redhat: ['rpm', 'redhat'], centos: ['rpm', 'centos'], rocky: ['rpm', 'rocky-linux'], alma: ['rpm', 'almalinux'], fedora: ['rpm', 'fedora'],
  amazon: ['rpm', 'amazon'], oracle: ['rpm', 'oracle'], photon: ['rpm', 'photon'], 'cbl-mariner': ['rpm', 'mariner'], azurelinux: ['rpm', 'azurelinux'],
  suse: ['rpm', 'suse'], 'opensuse.leap': ['rpm', 'opensuse'], 'opensuse.tumbleweed': ['rpm', 'opensuse'], sles: ['rpm', 'suse'],
};

/** A component property that names its package type, or null. */
export function ecosystemFromProperty(name: string, value: string): EcosystemHint | null {
  let kind: string | null = null;
  if (name === 'aquasecurity:trivy:PkgType' || name === 'syft:package:type') kind = value;
  else if (name.startsWith('cdx:')) kind = name.split(':')[1] ?? null;
  if (!kind) return null;
  const t = toolTypes[kind.toLowerCase()];
  return t ? { type: t[0], namespace: t[1], from: `property ${name}=${value}` } : null;
}

const registryHosts: Array<[RegExp, string]> = [
  [/(^|\.)npmjs\.(org|com)$/, 'npm'],
  [/(^|\.)yarnpkg\.com$/, 'npm'],
  [/^(pypi\.org|pypi\.python\.org|files\.pythonhosted\.org)$/, 'pypi'],
  [/^(repo1\.maven\.org|repo\.maven\.apache\.org|search\.maven\.org|central\.sonatype\.com)$/, 'maven'],
  [/^(rubygems\.org)$/, 'gem'],
  [/^(crates\.io|static\.crates\.io)$/, 'cargo'],
  [/^(proxy\.golang\.org|pkg\.go\.dev)$/, 'golang'],
  [/(^|\.)nuget\.org$/, 'nuget'],
  [/^(packagist\.org|repo\.packagist\.org)$/, 'composer'],
  [/^(pub\.dev|pub\.dartlang\.org)$/, 'pub'],
  [/^(hex\.pm|repo\.hex\.pm)$/, 'hex'],
];

function host(url: string): string | null {
  try {
    return new URL(url.replace(/^git\+/, '')).hostname.toLowerCase();
  } catch {
    return null;
  }
}

/** The package registry a download URL points into, or null. */
export function ecosystemFromUrl(url: string): EcosystemHint | null {
  const h = host(url);
  if (!h) return null;
  for (const [re, type] of registryHosts) if (re.test(h)) return { type, namespace: null, from: `registry URL ${url}` };
  return null;
}

const generatorTools: Array<[RegExp, string]> = [
  [/cyclonedx[- ]maven|maven plugin|cyclonedx[- ]gradle|gradle plugin|spdx-maven-plugin/i, 'maven'],
  [/cyclonedx[- ](npm|node|yarn|webpack|esbuild)|@cyclonedx\/(bom|cyclonedx-library)|rollup-plugin-sbom/i, 'npm'],
  [/cyclonedx[- ]php|cyclonedx[- ]composer/i, 'composer'],
  [/cyclonedx[- ](py|python|bom-py)|(^|\/)jake$/i, 'pypi'],
  [/cyclonedx[- ]gomod/i, 'golang'],
  [/cargo[- ]cyclonedx|cyclonedx[- ]rust/i, 'cargo'],
  [/cyclonedx[- ]dotnet|module for \.net/i, 'nuget'],
  [/cyclonedx[- ]ruby/i, 'gem'],
];

/**
 * The ecosystem of a document's generator tools when they all name the same one (the CycloneDX Maven plugin,
 * cyclonedx-npm …); null for multi-ecosystem scanners (Trivy, Syft, cdxgen) or tools that disagree.
 */
export function ecosystemFromTools(toolNames: readonly string[]): EcosystemHint | null {
  let found: string | null = null;
  let from = '';
  for (const name of toolNames) {
    const hit = generatorTools.find(([re]) => re.test(name));
    if (!hit) continue;
    if (found && found !== hit[1]) return null;
    found = hit[1];
    from = name;
  }
  return found ? { type: found, namespace: null, from: `generator tool ${from}` } : null;
}

/** From a CycloneDX `group` alone: an npm scope (`@scope`) or a dotted Maven group id (`org.apache.commons`). */
export function ecosystemFromGroup(group: string): EcosystemHint | null {
  if (/^@[^/@\s]+$/.test(group)) return { type: 'npm', namespace: group, from: `npm scope ${group}` };
  if (/^[A-Za-z_][\w-]*(\.[\w-]+)+$/.test(group)) return { type: 'maven', namespace: group, from: `Maven group ${group}` };
  return null;
}

// ---------- name + version ----------

/**
 * A purl from a component's name, optional group and version in the hinted ecosystem. Null without a version, or
 * when the ecosystem needs a namespace that neither the group nor the name gives (Maven `g:a`, npm `@s/n`,
 * Go module paths, Composer `vendor/name`).
 */
export function purlFromName(hint: EcosystemHint, name: string, group: string | null, version: string | null): ParsedPurl | null {
  if (!version || !name) return null;
  let namespace = hint.namespace ?? (group || null);
  let n = name;
  const slash = name.lastIndexOf('/');
  switch (hint.type) {
    case 'maven': {
      const parts = name.split(':');
      if (parts.length === 2 && parts[0] && parts[1]) [namespace, n] = parts as [string, string];
      if (!namespace) return null;
      break;
    }
    case 'npm':
      if (name.startsWith('@') && slash > 0) {
        namespace = name.slice(0, slash);
        n = name.slice(slash + 1);
      } else if (namespace && !namespace.startsWith('@')) {
        namespace = `@${namespace}`;
      }
      break;
    case 'golang':
    case 'composer':
    case 'github':
      if (slash > 0 && !group) {
        namespace = name.slice(0, slash);
        n = name.slice(slash + 1);
      }
      if (!namespace) return null;
      break;
    default:
      break;
  }
  return build(hint.type, namespace, n, version);
}

// ---------- URLs and SPDX locators that spell out the package ----------

/**
 * An exact purl from a download URL that names group, artifact and version (Maven repository layout) or an npm
 * registry tarball; null for anything else.
 */
export function purlFromDownloadUrl(url: string): ParsedPurl | null {
  let u: URL;
  try {
    u = new URL(url.replace(/^git\+/, ''));
  } catch {
    return null;
  }
  const h = u.hostname.toLowerCase();
  if (/^(repo1\.maven\.org|repo\.maven\.apache\.org)$/.test(h)) {
    // /maven2/<group path>/<artifact>/<version>/<file>
    const segs = u.pathname.split('/').filter(Boolean);
    if (segs[0] === 'maven2' && segs.length >= 5) {
      const [artifact, version] = segs.slice(-3, -1) as [string, string];
      const group = segs.slice(1, -3).join('.');
      return group ? build('maven', group, artifact, version) : null;
    }
    return null;
  }
  if (h === 'registry.npmjs.org' || h === 'registry.yarnpkg.com') {
    // /<name>/-/<basename>-<version>.tgz or /@scope/<name>/-/<name>-<version>.tgz
    const m = /^\/((?:@[^/]+\/)?([^/]+))\/-\/\2-(.+)\.tgz$/.exec(decodeURIComponent(u.pathname));
    if (!m) return null;
    const full = m[1] as string;
    const slash = full.indexOf('/');
    return full.startsWith('@') ? build('npm', full.slice(0, slash), full.slice(slash + 1), m[3] as string) : build('npm', null, full, m[3] as string);
  }
  return null;
}

/** SPDX 2.3 PACKAGE-MANAGER locators other than purl (spec annex F): maven-central, npm, nuget (bower has no purl type). */
export function purlFromSpdxLocator(referenceType: string, locator: string): ParsedPurl | null {
  switch (referenceType) {
    case 'maven-central': {
      const [g, a, v] = locator.split(':');
      return g && a && v ? build('maven', g, a, v) : null;
    }
    case 'npm': {
      const at = locator.lastIndexOf('@');
      if (at <= 0) return null;
      const name = locator.slice(0, at);
      const slash = name.indexOf('/');
      return name.startsWith('@') && slash > 0 ? build('npm', name.slice(0, slash), name.slice(slash + 1), locator.slice(at + 1)) : build('npm', null, name, locator.slice(at + 1));
    }
    case 'nuget': {
      const [n, v] = locator.split('/');
      return n && v ? build('nuget', null, n, v) : null;
    }
    default:
      return null;
  }
}
