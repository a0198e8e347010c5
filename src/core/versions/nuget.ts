// NuGet version ordering: `MAJOR[.MINOR[.PATCH[.REVISION]]][-label.label…][+metadata]`.
//
// Hand-written after NuGet.Versioning's VersionComparer (NuGet/NuGet.Client,
// src/NuGet.Core/NuGet.Versioning/VersionComparer.cs, `VersionComparison.Default`) and NuGetVersion.TryParse:
// missing parts are 0 (1.0 == 1.0.0.0), the four numbers compare numerically (so the revision decides before
// the label: 1.0.0-pre < 1.0.0.1-alpha), a version without a label is newer than one with, labels compare
// identifier by identifier (numbers numerically and before text; text case-insensitively, ordinal), fewer
// identifiers first, and metadata is ignored. `@snyk/nuget-semver` was tried and compares labels as whole
// strings (it orders 1.0.0-beta.10 before 1.0.0-beta.9), so it is not used. Tested with the vectors OSV.dev
// ported from NuGet's VersionComparerTests.cs.
import { InvalidVersionError, compareDigits, compareStrings, defineOrdering, type Ordering } from './ordering.js';

export interface NuGetVersion {
  /** Always four numbers, missing ones filled with "0". */
  numbers: [string, string, string, string];
  labels: string[];
}

const INT32_MAX = '2147483647';
const IDENT = /^[0-9A-Za-z-]+$/;
const isNumeric = (s: string): boolean => /^[0-9]+$/.test(s);

export function parseNuGetVersion(input: string, label = 'NuGet'): NuGetVersion {
  const fail = (reason: string): never => {
    throw new InvalidVersionError(input, label, reason);
  };
  if (input === '') fail('version string is empty');
  const plus = input.indexOf('+');
  const main = plus >= 0 ? input.slice(0, plus) : input;
  if (plus >= 0) {
    const metadata = input.slice(plus + 1);
    if (metadata === '' || !metadata.split('.').every((id) => IDENT.test(id))) fail('invalid build metadata');
  }
  const dash = main.indexOf('-');
  const core = dash >= 0 ? main.slice(0, dash) : main;
  const labels = dash >= 0 ? main.slice(dash + 1).split('.') : [];
  const parts = core.split('.');
  if (parts.length > 4) fail('more than four version numbers');
  for (const p of parts) {
    if (!isNumeric(p)) fail('version numbers must be non-negative integers');
    if (compareDigits(p, INT32_MAX) > 0) fail(`version number ${p} is too big`);
  }
  for (const l of labels) if (!IDENT.test(l)) fail('release labels may hold only letters, digits and "-", separated by "."');
  const [major = '0', minor = '0', patch = '0', revision = '0'] = parts;
  return { numbers: [major, minor, patch, revision], labels };
}

function compareLabels(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0 || b.length === 0) return a.length === b.length ? 0 : a.length === 0 ? 1 : -1;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i] as string;
    const y = b[i] as string;
    const nx = isNumeric(x);
    const ny = isNumeric(y);
    let c: number;
    if (nx && ny) c = compareDigits(x, y);
    else if (nx !== ny) c = nx ? -1 : 1;
    else c = compareStrings(x.toUpperCase(), y.toUpperCase());
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

export function compareNuGetVersions(a: NuGetVersion, b: NuGetVersion): number {
  for (let i = 0; i < 4; i++) {
    const c = compareDigits(a.numbers[i] as string, b.numbers[i] as string);
    if (c !== 0) return c;
  }
  return compareLabels(a.labels, b.labels);
}

export const nugetOrdering: Ordering = defineOrdering('nuget', 'NuGet', parseNuGetVersion, compareNuGetVersions);
