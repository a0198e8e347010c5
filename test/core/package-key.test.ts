// The package key of an OSV affected entry must equal the one SBOM components carry for the same package.
import { describe, expect, it } from 'vitest';
import { packageKeyOfAffected } from '../../src/core/exposure/package-key.js';
import { purlKey } from '../../src/core/targets.js';

describe('packageKeyOfAffected', () => {
  it.each([
    ['npm', '@babel/traverse', 'pkg:npm/%40babel/traverse@7.23.0'],
    ['npm', 'lodash', 'pkg:npm/lodash@4.17.20'],
    ['PyPI', 'Django_Rest', 'pkg:pypi/django-rest@1.0'],
    ['Maven', 'org.apache.logging.log4j:log4j-core', 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1'],
    ['Go', 'github.com/gin-gonic/gin', 'pkg:golang/github.com/gin-gonic/gin@v1.9.0'],
    ['crates.io', 'tokio', 'pkg:cargo/tokio@1.0.0'],
    ['RubyGems', 'rails', 'pkg:gem/rails@7.0.0'],
    ['NuGet', 'Newtonsoft.Json', 'pkg:nuget/Newtonsoft.Json@13.0.1'],
    ['Packagist', 'laravel/framework', 'pkg:composer/laravel/framework@7.12.0'],
    ['Debian:12', 'openssl', 'pkg:deb/debian/openssl@3.0.11-1'],
    ['Alpine:v3.18', 'busybox', 'pkg:apk/alpine/busybox@1.36.1-r0'],
  ])('%s %s meets %s', (ecosystem, name, componentPurl) => {
    expect(packageKeyOfAffected({ ecosystem, name, purl: null })).toBe(purlKey(componentPurl));
  });

  it('prefers the purl the record states, and knows no key for an ecosystem without a purl type', () => {
    expect(packageKeyOfAffected({ ecosystem: 'npm', name: 'x', purl: 'pkg:npm/left-pad' })).toBe('pkg:npm/left-pad');
    expect(packageKeyOfAffected({ ecosystem: 'OSS-Fuzz', name: 'libpng', purl: null })).toBeNull();
    expect(packageKeyOfAffected({ ecosystem: 'Maven', name: 'no-colon', purl: null })).toBeNull();
  });
});
