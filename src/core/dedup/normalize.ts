// Normal forms that deduplication compares: file paths, code snippets, targets, function and package names.
// Each function is total (never throws) because one odd finding must not stop a batch.
import type { TargetRef } from '../findings.js';
import { purlKey, repoKey } from '../targets.js';

/**
 * A repository-relative path in one spelling: `/` separators, no `file://` scheme, drive letter, leading
 * `./` or `/`, no `.` segments, `..` collapsed, percent-escapes decoded. Case is kept (most file systems
 * the code lives on are case-sensitive). Build-root prefixes such as `src/` are NOT stripped: `src/a.c` and
 * `a.c` can both exist, and the root a tool reports from is the submission's business to fix, not ours to
 * guess. Returns null for an empty path or one that climbs above the root.
 */
export function normalizePath(raw: string | null): string | null {
  if (raw === null) return null;
  // most paths are already normal: no scheme, drive, backslash, escape, empty or dot segment, outer space
  if (raw !== '' && !needsWork.test(raw) && raw.charCodeAt(raw.length - 1) > 32) return raw;
  let p = raw.trim();
  if (p === '') return null;
  if (/^file:/i.test(p)) p = p.replace(/^file:(\/\/[^/]*)?/i, '');
  if (p.includes('%')) {
    try {
      p = decodeURIComponent(p);
    } catch {
      // a stray % is part of the name
    }
  }
  p = p.replace(/\\/g, '/').replace(/^\/?[A-Za-z]:\//, '/');
  const out: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (out.length === 0) return null;
      out.pop();
      continue;
    }
    out.push(seg);
  }
  return out.length ? out.join('/') : null;
}

const needsWork = /^[\s./]|^[A-Za-z][\w+.-]*:|[\\%]|\/\/|\/\.\.?(?:\/|$)|\/$/;

type CommentStyle = 'c' | 'hash' | 'c+hash' | 'none';

const cLike = new Set(['c', 'h', 'cc', 'cpp', 'cxx', 'hpp', 'hh', 'hxx', 'ino', 'm', 'mm', 'java', 'js', 'jsx', 'mjs', 'cjs', 'ts', 'tsx', 'mts', 'cts', 'go', 'rs', 'cs', 'kt', 'kts', 'swift', 'scala', 'dart', 'groovy', 'gradle', 'proto', 'sol', 'zig', 'css', 'scss', 'less']);
const hashLike = new Set(['py', 'pyi', 'pyw', 'rb', 'sh', 'bash', 'zsh', 'pl', 'pm', 'r', 'yaml', 'yml', 'toml', 'tf', 'hcl', 'ps1', 'cmake', 'nix', 'ex', 'exs', 'jl', 'cr']);
const cAndHash = new Set(['php']);

function commentStyle(path: string | null): CommentStyle {
  if (!path) return 'none';
  const dot = path.lastIndexOf('.');
  if (dot < 0 || dot < path.lastIndexOf('/')) return /(^|\/)(Makefile|Dockerfile|Rakefile|Gemfile)$/.test(path) ? 'hash' : 'none';
  const ext = path.slice(dot + 1).toLowerCase();
  if (cLike.has(ext)) return 'c';
  if (hashLike.has(ext)) return 'hash';
  if (cAndHash.has(ext)) return 'c+hash';
  return 'none';
}

const lineNumberPrefix = /^\s*\d+\s*[:|]\s?/;

const isWord = (code: number): boolean =>
  (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95 || code === 36 || code > 127;

/**
 * The snippet as a fingerprint sees it: comments dropped (for the file's language, found by extension;
 * string literals are respected, so `"http://x"` survives), whitespace removed except one space between two
 * word characters (so re-indenting or `a=b` → `a = b` changes nothing), and `12 | ` / `12: ` line-number
 * gutters removed when every line carries one (some tools paste numbered excerpts).
 */
export function normalizeSnippet(snippet: string, path: string | null): string {
  let text = snippet;
  if (/^\s*\d+\s*[:|]/.test(text)) {
    const lines = text.split(/\r\n|\r|\n/);
    if (lines.every((l) => l.trim() === '' || lineNumberPrefix.test(l))) text = lines.map((l) => l.replace(lineNumberPrefix, '')).join('\n');
  }
  const style = commentStyle(path);
  const slashes = style === 'c' || style === 'c+hash';
  const hashes = style === 'hash' || style === 'c+hash';
  let out = '';
  let pendingSpace = false;
  let lastCode = 0;
  // appends text[from, to), with one space before it only where two word characters would otherwise touch
  const emit = (from: number, to: number): void => {
    if (pendingSpace && out.length > 0 && isWord(lastCode) && isWord(text.charCodeAt(from))) out += ' ';
    pendingSpace = false;
    out += text.slice(from, to);
    lastCode = text.charCodeAt(to - 1);
  };
  const n = text.length;
  let i = 0;
  while (i < n) {
    const code = text.charCodeAt(i);
    if (code <= 32) {
      pendingSpace = true;
      i++;
    } else if (code === 34 || code === 39 || code === 96) {
      // a string literal, verbatim up to its closing quote (or the end of the line for an unclosed one)
      let j = i + 1;
      while (j < n) {
        const c = text.charCodeAt(j);
        if (c === code || c === 10) break;
        j += c === 92 ? 2 : 1;
      }
      const end = Math.min(j + 1, n);
      emit(i, end);
      i = end;
    } else if (slashes && code === 47 && text.charCodeAt(i + 1) === 47) {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? n : nl;
      pendingSpace = true;
    } else if (slashes && code === 47 && text.charCodeAt(i + 1) === 42) {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 2;
      pendingSpace = true;
    } else if (hashes && code === 35 && !(style === 'c+hash' && text.charCodeAt(i + 1) === 91)) {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? n : nl;
      pendingSpace = true;
    } else {
      // a run of ordinary characters, up to the next space, quote or possible comment start
      let j = i + 1;
      while (j < n) {
        const c = text.charCodeAt(j);
        if (c <= 32 || c === 34 || c === 39 || c === 96 || c === 47 || c === 35) break;
        j++;
      }
      emit(i, j);
      i = j;
    }
  }
  return out;
}

/** A function or method name without parameters, return type or surrounding space: `int foo(char *p)` → `foo`. */
export function normalizeFunction(name: string | null): string | null {
  if (name === null) return null;
  let s = name.trim();
  const paren = s.indexOf('(');
  if (paren >= 0) s = s.slice(0, paren).trim();
  // drop a return type or qualifiers written before the name ("static int foo")
  const space = s.lastIndexOf(' ');
  if (space >= 0) s = s.slice(space + 1);
  s = s.replace(/^[*&]+/, '');
  return s === '' ? null : s;
}

/**
 * One key per target, so findings reported against the same software compare equal: the repository
 * (`repo:github.com/owner/name`) when the reference has one, since code paths are repository-relative,
 * otherwise the version-less package URL (`purl:pkg:npm/%40scope/name`). The service should pass the
 * registered target's full reference every time, or the same target may be keyed both ways.
 */
export function targetKey(target: TargetRef | null): string | null {
  if (target === null) return null;
  if (target.repo !== null && target.repo.trim() !== '') {
    try {
      return `repo:${repoKey(target.repo)}`;
    } catch {
      return `repo:${target.repo.trim()}`;
    }
  }
  if (target.purl !== null && target.purl.trim() !== '') {
    try {
      return `purl:${purlKey(target.purl)}`;
    } catch {
      // not a valid purl: keep it whole rather than lose the target
      return `purl:${target.purl.trim()}`;
    }
  }
  return null;
}

// OSV ecosystems whose package names are case-insensitive (and, for PyPI and crates.io, separator-insensitive)
const foldCase = new Set(['pypi', 'crates.io', 'npm', 'nuget', 'packagist', 'hex', 'pub', 'swifturl']);

/**
 * `PyPI/django-rest`: the OSV ecosystem without its release suffix (`Debian:11` → `Debian`) and the name in
 * its registry's canonical spelling (PEP 503 for PyPI; `_` = `-` on crates.io; case folded where the
 * registry ignores case). Go module paths and Maven coordinates keep their case.
 */
export function packageKey(ecosystem: string, name: string): string {
  const eco = ecosystem.split(':')[0]!.trim();
  const lower = eco.toLowerCase();
  let n = name.trim();
  if (lower === 'pypi') n = n.toLowerCase().replace(/[-_.]+/g, '-');
  else if (lower === 'crates.io') n = n.toLowerCase().replace(/_/g, '-');
  else if (foldCase.has(lower)) n = n.toLowerCase();
  return `${eco}/${n}`;
}
