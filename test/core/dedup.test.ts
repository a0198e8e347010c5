import { describe, expect, it } from 'vitest';
import type { AdvisoryFinding, AffectedPackage, CodeFinding, CodeLocation, TargetRef } from '../../src/core/findings.js';
import {
  type FindingFeatures,
  MemoryCandidateIndex,
  affectedOverlap,
  compileAffected,
  decideLink,
  estimateJaccard,
  fingerprintFinding,
  hash32,
  lookupKeys,
  minHash,
  normalizePath,
  normalizeSnippet,
  packageKey,
  scanText,
  shingles,
  signatureHex,
  targetKey,
  textTerms,
  wordsIdentity,
} from '../../src/core/dedup/index.js';
import { bottomK, decodeSketch, encodeSketch, sketchJaccard } from '../../src/core/dedup/minhash.js';

const repo: TargetRef = { purl: null, repo: 'https://github.com/example/daemon.git' };

function code(over: Omit<Partial<CodeFinding>, 'location'> & { location?: Partial<CodeLocation> } = {}): CodeFinding {
  const { location, ...rest } = over;
  return {
    kind: 'code',
    source: 'sarif',
    pointer: '/runs/0/results/0',
    title: 'Buffer overflow',
    description: null,
    severity: 'high',
    cwes: [120],
    cvssVector: null,
    scanner: { name: 'Flawfinder', version: '2.0.19', model: null },
    ruleId: 'FF1001',
    target: null,
    version: null,
    commit: null,
    toolFingerprints: {},
    codeFlows: null,
    proofOfConcept: null,
    ...rest,
    location: { path: 'src/net.c', startLine: 19, endLine: 19, startColumn: null, endColumn: null, function: null, snippet: null, ...location },
  };
}

function advisory(over: Partial<AdvisoryFinding> = {}): AdvisoryFinding {
  return {
    kind: 'advisory',
    source: 'osv',
    pointer: '',
    title: '',
    description: null,
    severity: null,
    cwes: [],
    cvssVector: null,
    scanner: { name: 'osv', version: null, model: null },
    advisoryId: 'GHSA-aaaa-bbbb-cccc',
    aliases: [],
    affected: [],
    published: null,
    modified: null,
    withdrawn: null,
    ...over,
  };
}

const goPkg = (name: string, events: Array<Record<string, string>>): AffectedPackage => ({
  ecosystem: 'Go',
  name,
  purl: null,
  ranges: [{ type: 'SEMVER', events }],
  versions: [],
});

/** Runs findings through an index in order, as the service does with a batch; returns each one's decision. */
function link(findings: FindingFeatures[]): Array<{ vulnId: string; reason: string }> {
  const index = new MemoryCandidateIndex();
  return findings.map((f, i) => {
    const d = decideLink(f, index.candidates(lookupKeys(f)));
    const vulnId = d?.vulnId ?? `V${i}`;
    index.add(vulnId, f);
    return { vulnId, reason: d?.reason ?? 'new' };
  });
}

const snippet = 'strcpy(h->name, line);';

describe('normalization', () => {
  it('normalizes paths without guessing roots', () => {
    expect(normalizePath('./src//net.c')).toBe('src/net.c');
    expect(normalizePath('src\\lib\\..\\net.c')).toBe('src/net.c');
    expect(normalizePath('file:///C:/code/Net.c')).toBe('code/Net.c');
    expect(normalizePath('file:///src/index.js')).toBe('src/index.js');
    expect(normalizePath('a%20b/c.c')).toBe('a b/c.c');
    expect(normalizePath('../outside.c')).toBeNull();
    expect(normalizePath('')).toBeNull();
    // a build root is kept: src/a.c and a.c can both exist
    expect(normalizePath('app/src/gps.c')).not.toBe(normalizePath('src/gps.c'));
  });

  it('normalizes snippets: comments, whitespace and line-number gutters go, strings stay', () => {
    const a = normalizeSnippet('    strcpy(h->name, line);   // copy', 'src/net.c');
    expect(a).toBe('strcpy(h->name,line);');
    expect(normalizeSnippet('strcpy( h->name,line ); /* was memcpy */', 'src/net.c')).toBe(a);
    expect(normalizeSnippet('12 | x = open(p)\n13 | y = 1', 'a.py')).toBe(normalizeSnippet('x = open(p)\ny = 1', 'a.py'));
    expect(normalizeSnippet('x = 1  # note', 'a.py')).toBe('x=1');
    expect(normalizeSnippet('url = "http://a//b" // c', 'a.js')).toBe('url="http://a//b"');
    expect(normalizeSnippet('unsigned int n', 'a.c')).toBe('unsigned int n');
    // in a language we do not know, comment markers are text
    expect(normalizeSnippet('a // b', 'notes.txt')).toBe('a//b');
  });

  it('keys targets by repository, else by version-less package URL', () => {
    const keys = ['https://GitHub.com/Example/daemon.git', 'git@github.com:Example/daemon', 'ssh://git@github.com/Example/daemon/'].map((r) => targetKey({ purl: null, repo: r }));
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).toBe('repo:github.com/Example/daemon');
    expect(targetKey({ purl: 'pkg:npm/%40scope/lib@1.2.3?arch=x64#dist', repo: null })).toBe(targetKey({ purl: 'pkg:npm/%40scope/lib@2.0.0', repo: null }));
    expect(targetKey({ purl: 'pkg:pypi/Django_REST@1.0', repo: null })).toBe('purl:pkg:pypi/django-rest');
    expect(targetKey(null)).toBeNull();
  });

  it('spells package names the registry way', () => {
    expect(packageKey('PyPI', 'Django_Rest.Framework')).toBe('PyPI/django-rest-framework');
    expect(packageKey('crates.io', 'Foo_Bar')).toBe('crates.io/foo-bar');
    expect(packageKey('Go', 'github.com/Foo/Bar')).toBe('Go/github.com/Foo/Bar');
    expect(packageKey('Debian:12', 'openssl')).toBe('Debian/openssl');
  });
});

describe('code findings', () => {
  it('links the same snippet after 40 lines of drift by exact key', () => {
    const v1 = fingerprintFinding(code({ commit: 'aaa', location: { startLine: 19, endLine: 19, snippet } }), repo);
    const v2 = fingerprintFinding(code({ commit: 'bbb', location: { startLine: 59, endLine: 59, snippet: `  ${snippet} // moved` } }), repo);
    expect(v1.kind === 'code' && v1.exactKey).toMatch(/^x:[0-9a-f]{64}$/);
    expect(link([v1, v2])).toEqual([{ vulnId: 'V0', reason: 'new' }, { vulnId: 'V0', reason: 'exact-key' }]);
    expect(decideLink(v2, [{ vulnId: 'V0', features: v1 }])?.score).toBe(0.98);
  });

  it('does not link a different snippet on the same line of another revision', () => {
    const v1 = fingerprintFinding(code({ commit: 'aaa', location: { snippet } }), repo);
    const v2 = fingerprintFinding(code({ commit: 'bbb', location: { snippet: 'strcat(h->value, more);' } }), repo);
    expect(decideLink(v2, [{ vulnId: 'V0', features: v1 }])).toBeNull();
  });

  it('links overlapping regions in one file and revision when CWEs are compatible', () => {
    const a = fingerprintFinding(code({ cwes: [120], location: { startLine: 10, endLine: 12 } }), repo);
    const b = fingerprintFinding(code({ cwes: [787], scanner: { name: 'cppcheck', version: null, model: null }, ruleId: 'bufferOverflow', location: { startLine: 12, endLine: 12 } }), repo);
    const d = decideLink(b, [{ vulnId: 'V0', features: a }]);
    expect(d?.reason).toBe('near-location');
    expect(d!.score).toBeGreaterThan(0.85);
    expect(d!.score).toBeLessThanOrEqual(0.95);
    // the same line with an incompatible CWE stays apart
    const sqli = fingerprintFinding(code({ cwes: [89], location: { startLine: 12, endLine: 12 } }), repo);
    expect(decideLink(sqli, [{ vulnId: 'V0', features: a }])).toBeNull();
    // no overlap, no function: apart
    const far = fingerprintFinding(code({ location: { startLine: 30, endLine: 30 } }), repo);
    expect(decideLink(far, [{ vulnId: 'V0', features: a }])).toBeNull();
    // another file: apart
    const other = fingerprintFinding(code({ location: { path: 'src/exec.c', startLine: 12 } }), repo);
    expect(decideLink(other, [{ vulnId: 'V0', features: a }])).toBeNull();
    // another target: apart
    const elsewhere = fingerprintFinding(code({ location: { startLine: 12 } }), { purl: null, repo: 'https://github.com/other/daemon' });
    expect(decideLink(elsewhere, [{ vulnId: 'V0', features: a }])).toBeNull();
  });

  it('links the same function across revisions but not line numbers of different revisions', () => {
    const a = fingerprintFinding(code({ commit: 'aaa', location: { startLine: 10, function: 'parse_header' } }), repo);
    const sameFn = fingerprintFinding(code({ commit: 'bbb', location: { startLine: 50, function: 'int parse_header(struct header *h)' } }), repo);
    expect(decideLink(sameFn, [{ vulnId: 'V0', features: a }])).toEqual({ vulnId: 'V0', reason: 'near-location', score: 0.8 });
    const sameLineOtherRev = fingerprintFinding(code({ commit: 'bbb', location: { startLine: 10 } }), repo);
    expect(decideLink(sameLineOtherRev, [{ vulnId: 'V0', features: a }])).toBeNull();
  });

  it('namespaces tool fingerprints by tool', () => {
    const fp = { 'contextHash/v1': 'dee2ee103fd0a0e6' };
    const a = fingerprintFinding(code({ toolFingerprints: fp, location: { startLine: 5 } }), repo);
    const sameTool = fingerprintFinding(code({ toolFingerprints: fp, cwes: [89], location: { startLine: 90 } }), repo);
    const otherTool = fingerprintFinding(code({ toolFingerprints: fp, scanner: { name: 'Other', version: null, model: null }, location: { startLine: 90 } }), repo);
    expect(lookupKeys(a)).toContain('tfp:flawfinder:contextHash/v1:dee2ee103fd0a0e6');
    expect(decideLink(sameTool, [{ vulnId: 'V0', features: a }])).toEqual({ vulnId: 'V0', reason: 'tool-fingerprint', score: 1 });
    expect(decideLink(otherTool, [{ vulnId: 'V0', features: a }])).toBeNull();
  });

  it('prefers the strongest reason, then the score, then the earliest candidate', () => {
    const base = fingerprintFinding(code({ toolFingerprints: { h: '1' }, location: { startLine: 10, endLine: 14, snippet } }), repo);
    const near = fingerprintFinding(code({ location: { startLine: 12 } }), repo);
    const exact = fingerprintFinding(code({ location: { startLine: 80, snippet } }), repo);
    const tfp = fingerprintFinding(code({ toolFingerprints: { h: '1' }, location: { startLine: 200 } }), repo);
    expect(decideLink(base, [{ vulnId: 'N', features: near }, { vulnId: 'X', features: exact }, { vulnId: 'T', features: tfp }])?.vulnId).toBe('T');
    expect(decideLink(base, [{ vulnId: 'N', features: near }, { vulnId: 'X', features: exact }])?.vulnId).toBe('X');
    const near2 = fingerprintFinding(code({ location: { startLine: 10, endLine: 14 } }), repo);
    expect(decideLink(base, [{ vulnId: 'N', features: near }, { vulnId: 'N2', features: near2 }])?.vulnId).toBe('N2');
    expect(decideLink(base, [{ vulnId: 'A', features: near }, { vulnId: 'B', features: near }])?.vulnId).toBe('A');
  });

  it('refuses a near-location link to a record holding an incompatible weakness', () => {
    const memory = fingerprintFinding(code({ cwes: [787], location: { startLine: 10, function: 'run_backup' } }), repo);
    const unnamed = fingerprintFinding(code({ cwes: [], scanner: { name: 'clang', version: null, model: null }, location: { startLine: 11, function: 'run_backup' } }), repo);
    const injection = fingerprintFinding(code({ cwes: [78], location: { startLine: 11, function: 'run_backup' } }), repo);
    // the CWE-less finding alone would bridge the two
    expect(decideLink(injection, [{ vulnId: 'V0', features: unnamed }])?.reason).toBe('near-location');
    expect(decideLink(injection, [{ vulnId: 'V0', features: memory }, { vulnId: 'V0', features: unnamed }])).toBeNull();
    // strong identity is not vetoed
    const again = fingerprintFinding(code({ cwes: [78], toolFingerprints: { h: '9' }, location: { startLine: 11 } }), repo);
    const stored = fingerprintFinding(code({ cwes: [78], toolFingerprints: { h: '9' }, location: { startLine: 11 } }), repo);
    expect(decideLink(again, [{ vulnId: 'V0', features: memory }, { vulnId: 'V0', features: stored }])?.reason).toBe('tool-fingerprint');
  });

  it('gives trivial snippets no exact key', () => {
    const f = fingerprintFinding(code({ location: { snippet: '  free(p); ' } }), repo);
    expect(f.kind === 'code' && f.exactKey).toBeNull();
  });

  it('produces JSON-serializable, deterministic features', () => {
    const f = code({ toolFingerprints: { b: '2', a: '1' }, location: { snippet } });
    const a = fingerprintFinding(f, repo);
    const b = fingerprintFinding(structuredClone(f), repo);
    expect(JSON.parse(JSON.stringify(a))).toEqual(b);
    expect(lookupKeys(a)).toEqual(lookupKeys(b));
  });
});

describe('advisories', () => {
  const details =
    'The HTTPFetcher.GetXML function reads a response of unlimited size into memory, permitting resource exhaustion when a malicious repository serves a GZIP bomb to the relying party.';

  it('links by a shared alias, whichever side lists it', () => {
    const ghsa = fingerprintFinding(advisory({ advisoryId: 'GHSA-g9wh-3vrx-r7hg', aliases: ['CVE-2021-3912'] }), null);
    const go = fingerprintFinding(advisory({ advisoryId: 'GO-2022-0253', aliases: ['ghsa-g9wh-3vrx-r7hg'] }), null);
    const nvd = fingerprintFinding(advisory({ advisoryId: 'CVE-2021-3912' }), null);
    expect(link([ghsa, go, nvd])).toEqual([
      { vulnId: 'V0', reason: 'new' },
      { vulnId: 'V0', reason: 'alias' },
      { vulnId: 'V0', reason: 'alias' },
    ]);
  });

  it('links reworded advisories of one package from two databases when ranges overlap', () => {
    const pkg = goPkg('github.com/cloudflare/cfrpki', [{ introduced: '0' }, { fixed: '1.4.0' }]);
    const a = fingerprintFinding(advisory({ advisoryId: 'GHSA-g9wh-3vrx-r7hg', title: 'OctoRPKI crashes on a GZIP bomb', description: details, affected: [pkg] }), null);
    const b = fingerprintFinding(advisory({ advisoryId: 'GO-2022-0253', title: 'Resource exhaustion via GZIP bomb', description: details.replace('relying party', 'client'), affected: [pkg] }), null);
    expect(decideLink(b, [{ vulnId: 'V0', features: a }])?.reason).toBe('affected-overlap');
  });

  it('does not link two vulnerabilities of one package for sharing the package and versions', () => {
    const pkg = goPkg('github.com/containerd/containerd', [{ introduced: '0' }, { fixed: '1.6.18' }]);
    const a = fingerprintFinding(advisory({ advisoryId: 'GHSA-hmfx-3pcx-653p', title: 'Supplementary groups are not set up properly', description: 'A bug was found in containerd where supplementary groups are not set up properly inside a container, so an attacker may bypass primary group restrictions.', affected: [pkg] }), null);
    const b = fingerprintFinding(advisory({ advisoryId: 'GO-2023-1573', title: 'Memory exhaustion via OCI image importer', description: 'When importing an OCI image, there was no limit on the number of bytes read from the io.Reader passed into ImportIndex.', affected: [pkg] }), null);
    expect(decideLink(b, [{ vulnId: 'V0', features: a }])).toBeNull();
  });

  it('never links two records of one database on one package by similarity', () => {
    const pkg = goPkg('github.com/usememos/memos', [{ introduced: '0' }, { fixed: '0.9.1' }]);
    const a = fingerprintFinding(advisory({ advisoryId: 'GO-2023-1461', title: 'memos vulnerable to stored Cross-site Scripting', description: details, affected: [pkg] }), null);
    const b = fingerprintFinding(advisory({ advisoryId: 'GO-2023-1465', title: 'memos vulnerable to stored Cross-site Scripting', description: details, affected: [pkg] }), null);
    expect(decideLink(b, [{ vulnId: 'V0', features: a }])).toBeNull();
  });

  it('links near-identical advisories of sibling packages fixed by the same release or naming each other', () => {
    const text = 'NULL pointer dereference in Google TensorFlow before 1.12.2 could cause a denial of service via an invalid GIF file crafted by an attacker and passed to the decoder.';
    const on = (name: string, fixed: string): AffectedPackage => ({ ecosystem: 'PyPI', name, purl: null, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed }] }], versions: [] });
    const a = fingerprintFinding(advisory({ advisoryId: 'PYSEC-2019-210', description: text, affected: [on('tensorflow', '1.12.2')] }), null);
    const b = fingerprintFinding(advisory({ advisoryId: 'PYSEC-2019-228', description: text, affected: [on('tensorflow-cpu', '1.12.2')] }), null);
    expect(decideLink(b, [{ vulnId: 'V0', features: a }])?.reason).toBe('text-similarity');
    // other releases, but the very same text names the other package (TensorFlow)
    const c = fingerprintFinding(advisory({ advisoryId: 'PYSEC-2019-300', description: text, affected: [on('tensorflow-gpu', '1.15.0')] }), null);
    expect(decideLink(c, [{ vulnId: 'V0', features: a }])?.reason).toBe('text-similarity');
    // a reworded text with other releases: apart
    const d = fingerprintFinding(advisory({ advisoryId: 'PYSEC-2019-301', description: `${text} Versions 1.13 and 1.14 are affected too.`, affected: [on('tensorflow-gpu', '1.15.0')] }), null);
    expect(decideLink(d, [{ vulnId: 'V0', features: a }])).toBeNull();
  });

  it('does not link per-package copies of a template that name only their own package', () => {
    const notice = (name: string): string =>
      `\`${name}\` was removed from crates.io for malicious code. This crate was part of a typosquatting malware cluster published by a malicious user and contained a payload in build.rs to exfiltrate host information to the attacker.`;
    const crate = (name: string): AffectedPackage => ({ ecosystem: 'crates.io', name, purl: null, ranges: [{ type: 'SEMVER', events: [{ introduced: '0.0.0-0' }] }], versions: [] });
    const a = fingerprintFinding(advisory({ advisoryId: 'RUSTSEC-2023-0097', title: 'removed', description: notice('lazystatic'), affected: [crate('lazystatic')] }), null);
    const b = fingerprintFinding(advisory({ advisoryId: 'RUSTSEC-2023-0100', title: 'removed', description: notice('xrvrv'), affected: [crate('xrvrv')] }), null);
    expect(decideLink(b, [{ vulnId: 'V0', features: a }])).toBeNull();
  });

  it('evaluates semver ranges and version lists', () => {
    const a = compileAffected(goPkg('m', [{ introduced: '0' }, { fixed: '1.6.1' }, { introduced: '2.0.0' }, { fixed: '2.1.0' }]));
    expect(affectedOverlap(a, compileAffected(goPkg('m', [{ introduced: '1.6.0' }, { fixed: '1.7.0' }])))).toBe(true);
    expect(affectedOverlap(a, compileAffected(goPkg('m', [{ introduced: '1.6.1' }, { fixed: '2.0.0' }])))).toBe(false);
    expect(affectedOverlap(a, compileAffected(goPkg('m', [{ introduced: '2.0.5' }])))).toBe(true);
    expect(affectedOverlap(a, compileAffected(goPkg('m', [{ introduced: '1.0.0' }, { last_affected: '1.0.0' }])))).toBe(true);
    expect(affectedOverlap(a, compileAffected(goPkg('other', [{ introduced: '0' }])))).toBe(false);
    const py = (versions: string[], events: Array<Record<string, string>> = []): AffectedPackage => ({ ecosystem: 'PyPI', name: 'django', purl: null, ranges: events.length ? [{ type: 'ECOSYSTEM', events }] : [], versions });
    expect(affectedOverlap(compileAffected(py(['3.2', '3.2.1'])), compileAffected(py(['3.2.1', '4.0'])))).toBe(true);
    expect(affectedOverlap(compileAffected(py(['3.2'])), compileAffected(py(['4.0'])))).toBe(false);
    expect(affectedOverlap(compileAffected(py([], [{ introduced: '3.0' }, { fixed: '3.2.5' }])), compileAffected(py([], [{ introduced: '3.1' }, { fixed: '3.2.5' }])))).toBe(true);
  });

  it('estimates Jaccard similarity with MinHash', () => {
    const set = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => hash32(`w${from + i}`));
    const sig = (xs: number[]): string => signatureHex(minHash(xs)!);
    const a = sig(set(0, 1000));
    expect(estimateJaccard(a, a)).toBe(1);
    // true Jaccard 600/1400 ≈ 0.43 and 0 and 900/1100 ≈ 0.82
    expect(Math.abs(estimateJaccard(a, sig(set(400, 1400))) - 0.43)).toBeLessThan(0.15);
    expect(estimateJaccard(a, sig(set(5000, 6000)))).toBeLessThan(0.1);
    expect(Math.abs(estimateJaccard(a, sig(set(100, 1100))) - 0.82)).toBeLessThan(0.12);
    expect(minHash([])).toBeNull();
    // fixed seeds: the same set gives the same signature in every process
    expect(sig(set(0, 3))).toBe(sig(set(0, 3)));
  });

  it('computes exact Jaccard indexes from small bottom-k sketches, ignoring what it is told to', () => {
    const a = bottomK(['gzip', 'bomb', 'memory', 'crash', 'the'].map(hash32));
    const b = bottomK(['gzip', 'bomb', 'memory', 'exhaustion', 'the'].map(hash32));
    expect(sketchJaccard(a, b, new Set())).toBeCloseTo(4 / 6, 10);
    expect(sketchJaccard(a, b, new Set([hash32('the')]))).toBeCloseTo(3 / 5, 10);
    expect(sketchJaccard(a, bottomK([]), new Set())).toBe(0);
    expect(decodeSketch(encodeSketch(a))).toEqual(a);
  });

  it('scans words and terms in one pass, as textTerms spells them', () => {
    const text = 'Traversal in `gix-worktree` and github.com/Foo_bar (fixed in 1.4.0). Naïve ‘quotes’ — dash.';
    expect(textTerms(text)).toEqual(['traversal', 'in', 'gix-worktree', 'and', 'github-com', 'foo-bar', 'fixed', 'in', '1-4-0', 'naïve', 'quotes', 'dash']);
    const scanned = scanText(text);
    expect(scanned.terms).toEqual(textTerms(text).map(hash32));
    expect(scanned.words).toEqual(['traversal', 'in', 'gix', 'worktree', 'and', 'github', 'com', 'foo', 'bar', 'fixed', 'in', '1', '4', '0', 'naïve', 'quotes', 'dash'].map(hash32));
    expect(wordsIdentity(scanText('A  b, C').words)).toBe(wordsIdentity(scanText('a b c').words));
    expect(wordsIdentity(scanText('a b c').words)).not.toBe(wordsIdentity(scanText('a c b').words));
    expect(shingles(scanText('a b c d').words).size).toBe(2);
  });

  it('indexes advisories under aliases, packages and LSH bands', () => {
    const f = fingerprintFinding(advisory({ advisoryId: 'PYSEC-2021-1', aliases: ['CVE-2021-1'], description: details, affected: [{ ecosystem: 'PyPI', name: 'Pillow', purl: null, ranges: [], versions: ['1.0'] }] }), null);
    const keys = lookupKeys(f);
    expect(keys).toContain('alias:PYSEC-2021-1');
    expect(keys).toContain('alias:CVE-2021-1');
    expect(keys).toContain('pkg:PyPI/pillow');
    expect(keys.filter((k) => k.startsWith('lsh:'))).toHaveLength(8);
  });

  it('never links a code finding to an advisory', () => {
    const c = fingerprintFinding(code(), repo);
    const a = fingerprintFinding(advisory(), null);
    expect(decideLink(c, [{ vulnId: 'V0', features: a }])).toBeNull();
    expect(decideLink(a, [{ vulnId: 'V0', features: c }])).toBeNull();
  });
});

describe('memory index', () => {
  it('returns each candidate once, oldest first, and follows merges', () => {
    const index = new MemoryCandidateIndex();
    const a = fingerprintFinding(code({ toolFingerprints: { h: '1' }, location: { snippet } }), repo);
    const b = fingerprintFinding(code({ location: { startLine: 19 } }), repo);
    index.add('V1', a);
    index.add('V2', b);
    const found = index.candidates([...lookupKeys(a), ...lookupKeys(b)]);
    expect(found.map((c) => c.vulnId)).toEqual(['V1', 'V2']);
    index.relink('V2', 'V1');
    expect(index.candidates(lookupKeys(b)).map((c) => c.vulnId)).toEqual(['V1', 'V1']);
    expect(index.candidates(['nothing'])).toEqual([]);
  });
});
