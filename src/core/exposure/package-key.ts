// The package an OSV `affected` entry names, as a purl without version — the key SBOM components carry — so
// advisories and components meet through one index. OSV's ecosystem names map to purl types as the OSV
// schema's own table does (https://ossf.github.io/osv-schema/#affectedpackage-field).
import { PackageURL } from 'packageurl-js';
import type { AffectedPackage } from '../findings.js';
import { purlKey } from '../targets.js';

function build(type: string, namespace: string | undefined, name: string): string | null {
  try {
    return purlKey(new PackageURL(type, namespace, name, undefined, undefined, undefined).toString());
  } catch {
    return null;
  }
}

/** Splits at the last '/', for names that carry their namespace (Go modules, npm scopes, Packagist vendors). */
function lastSlash(name: string): [string | undefined, string] {
  const i = name.lastIndexOf('/');
  return i < 0 ? [undefined, name] : [name.slice(0, i), name.slice(i + 1)];
}

export function packageKeyOfAffected(a: Pick<AffectedPackage, 'ecosystem' | 'name' | 'purl'>): string | null {
  if (a.purl) {
    try {
      return purlKey(a.purl);
    } catch {
      // fall through to the ecosystem and name
    }
  }
  const ecosystem = a.ecosystem.split(':')[0]!;
  const name = a.name;
  switch (ecosystem) {
    case 'npm':
      return build('npm', ...lastSlash(name));
    case 'PyPI':
      return build('pypi', undefined, name);
    case 'Maven': {
      const [group, artifact] = name.split(':');
      return group && artifact ? build('maven', group, artifact) : null;
    }
    case 'Go':
      return build('golang', ...lastSlash(name));
    case 'crates.io':
      return build('cargo', undefined, name);
    case 'RubyGems':
      return build('gem', undefined, name);
    case 'NuGet':
      return build('nuget', undefined, name);
    case 'Packagist':
      return build('composer', ...lastSlash(name));
    case 'Hex':
      return build('hex', undefined, name);
    case 'Pub':
      return build('pub', undefined, name);
    case 'Debian':
      return build('deb', 'debian', name);
    case 'Ubuntu':
      return build('deb', 'ubuntu', name);
    case 'Alpine':
      return build('apk', 'alpine', name);
    default:
      return null;
  }
}
