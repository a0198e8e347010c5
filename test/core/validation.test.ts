// Unit tests of the pure validation modules: verdicts from sandbox runs, the validation state machine, build
// recipes (and the shell quoting of a proof of concept's path) and policy settings. No database needed.
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultPolicy, effectivePolicy, isPolicyName, parsePolicyUpdate, policyKeys, type PolicyValues } from '../../src/core/policy.js';
import { expandRunCommand, parseRecipe, pocPathInside, pocPlaceholder } from '../../src/core/validation/recipe.js';
import {
  automaticTransitionAllowed,
  confidenceOf,
  rejectionReasons,
  sameState,
  stateFromColumns,
  stateToColumns,
  validationMethods,
  type ValidationState,
} from '../../src/core/validation/states.js';
import { claimMatches, fixVerdict, reproductionVerdict, type ClaimedCrash, type ObservedCrash, type RunObservation, type RunRole } from '../../src/core/validation/verdict.js';
import { fails } from '../support/errors.js';

const run = promisify(execFile);

// ---------------------------------------------------------------------------------------------------------
// verdict.ts
// ---------------------------------------------------------------------------------------------------------

const heapOverflow: ObservedCrash = {
  crashType: 'Heap-buffer-overflow',
  frames: ['parse_header', 'read_file', 'load_config'],
  key: 'Heap-buffer-overflow READ 4|parse_header|read_file|load_config',
};
const useAfterFree: ObservedCrash = {
  crashType: 'Heap-use-after-free',
  frames: ['tree_free', 'tree_merge'],
  key: 'Heap-use-after-free WRITE 8|tree_free|tree_merge',
};
/** Same crash type and top frame as heapOverflow, but a different signature (another access size). */
const heapOverflowWrite: ObservedCrash = {
  crashType: 'Heap-buffer-overflow',
  frames: ['parse_header', 'read_file', 'load_config'],
  key: 'Heap-buffer-overflow WRITE 1|parse_header|read_file|load_config',
};

const reportedCommit = 'c0ffee0';
const introducedCommit = 'badc0de';
const parentCommit = 'f00d123';

function crashed(role: RunRole, crash: ObservedCrash = heapOverflow, commit: string | null = reportedCommit): RunObservation {
  return { role, commit, result: 'crash', crash };
}
function clean(role: RunRole, commit: string | null = reportedCommit): RunObservation {
  return { role, commit, result: 'no-crash' };
}
function hung(role: RunRole, commit: string | null = reportedCommit): RunObservation {
  return { role, commit, result: 'timeout' };
}
function broke(role: RunRole, message: string, commit: string | null = reportedCommit): RunObservation {
  return { role, commit, result: 'error', message };
}

/** A reproduction that crashed twice with one signature at the reported commit. */
const twice = (): RunObservation[] => [crashed('reported'), crashed('reported-retry')];
/** ... and kept the proof-of-vulnerability contract. */
const withContract = (): RunObservation[] => [...twice(), crashed('introduced', heapOverflow, introducedCommit), clean('parent', parentCommit)];

describe('reproductionVerdict', () => {
  it('reproduced: crashed twice with one signature, no claim, no introducing commit', () => {
    expect(reproductionVerdict(twice(), null)).toEqual({ status: 'reproduced', crash: heapOverflow, contract: false, verdict: 'reproduced' });
  });

  it('reproduced when the claim matches', () => {
    const v = reproductionVerdict(twice(), { crashType: 'Heap-buffer-overflow', frames: ['parse_header'] });
    expect(v).toEqual({ status: 'reproduced', crash: heapOverflow, contract: false, verdict: 'reproduced' });
  });

  it('reproduced-with-contract: also crashes the same way at the introducing commit and not at its parent', () => {
    expect(reproductionVerdict(withContract(), { crashType: 'heap-buffer-overflow' })).toEqual({
      status: 'reproduced',
      crash: heapOverflow,
      contract: true,
      verdict: 'reproduced-with-contract',
    });
  });

  it('a parent that times out without crashing does not break the contract', () => {
    const runs = [...twice(), crashed('introduced', heapOverflow, introducedCommit), hung('parent', parentCommit)];
    expect(reproductionVerdict(runs, null)).toMatchObject({ status: 'reproduced', verdict: 'reproduced-with-contract', contract: true });
  });

  it('does not depend on the order the runs come in', () => {
    const runs = withContract();
    expect(reproductionVerdict([...runs].reverse(), null)).toEqual(reproductionVerdict(runs, null));
    const flaky = [crashed('reported-retry', useAfterFree), crashed('reported')];
    expect(reproductionVerdict(flaky, null)).toMatchObject({ verdict: 'flaky-signature' });
  });

  it('no-crash: the proof of concept did not crash the reported commit', () => {
    const v = reproductionVerdict([clean('reported')], { crashType: 'Heap-buffer-overflow' });
    expect(v).toMatchObject({ status: 'not-reproduced', verdict: 'no-crash' });
    expect(v.status === 'not-reproduced' && v.detail).toMatch(/did not crash/);
  });

  it('timeout: the proof of concept ran into the time limit', () => {
    const v = reproductionVerdict([hung('reported')], null);
    expect(v).toMatchObject({ status: 'not-reproduced', verdict: 'timeout' });
    expect(v.status === 'not-reproduced' && v.detail).toMatch(/time limit/);
  });

  it('flaky-signature: the retry crashes with a different signature', () => {
    const v = reproductionVerdict([crashed('reported'), crashed('reported-retry', useAfterFree)], null);
    expect(v).toMatchObject({ status: 'not-reproduced', verdict: 'flaky-signature' });
    expect(v.status === 'not-reproduced' && v.detail).toBe(`first run: ${heapOverflow.key}; retry: ${useAfterFree.key}`);
  });

  it('flaky-signature: same crash type and frames but another signature key is still flaky', () => {
    expect(reproductionVerdict([crashed('reported'), crashed('reported-retry', heapOverflowWrite)], null)).toMatchObject({ verdict: 'flaky-signature' });
  });

  it('flaky-signature: the retry does not crash (or hangs)', () => {
    const noCrash = reproductionVerdict([crashed('reported'), clean('reported-retry')], null);
    expect(noCrash).toMatchObject({ status: 'not-reproduced', verdict: 'flaky-signature' });
    expect(noCrash.status === 'not-reproduced' && noCrash.detail).toBe(`first run: ${heapOverflow.key}; retry: no-crash`);
    const timeout = reproductionVerdict([crashed('reported'), hung('reported-retry')], null);
    expect(timeout).toMatchObject({ status: 'not-reproduced', verdict: 'flaky-signature' });
    expect(timeout.status === 'not-reproduced' && timeout.detail).toMatch(/retry: timeout$/);
  });

  it('flakiness is decided before the claim and the contract', () => {
    const runs = [crashed('reported'), clean('reported-retry'), clean('introduced', introducedCommit)];
    expect(reproductionVerdict(runs, { crashType: 'Stack-overflow' })).toMatchObject({ verdict: 'flaky-signature' });
  });

  it('claim-mismatch: the crash type is wrong', () => {
    const v = reproductionVerdict(twice(), { crashType: 'Heap-use-after-free' });
    expect(v).toMatchObject({ status: 'not-reproduced', verdict: 'claim-mismatch' });
    expect(v.status === 'not-reproduced' && v.detail).toBe(`claimed Heap-use-after-free, observed ${heapOverflow.key}`);
  });

  it('claim-mismatch: right type, but the claimed top frame is not among the observed frames', () => {
    const v = reproductionVerdict(twice(), { crashType: 'Heap-buffer-overflow', frames: ['decode_chunk', 'parse_header'] });
    expect(v).toMatchObject({ status: 'not-reproduced', verdict: 'claim-mismatch' });
    expect(v.status === 'not-reproduced' && v.detail).toBe(`claimed Heap-buffer-overflow in decode_chunk, observed ${heapOverflow.key}`);
  });

  it('the claimed top frame may be any observed frame, not only the first', () => {
    expect(reproductionVerdict(twice(), { crashType: 'Heap-buffer-overflow', frames: ['load_config'] })).toMatchObject({ verdict: 'reproduced' });
  });

  it('the crash type matches regardless of case and punctuation', () => {
    for (const crashType of ['heap buffer overflow', 'HEAP_BUFFER_OVERFLOW', '  Heap-Buffer-Overflow. ', 'heap--buffer  overflow']) {
      expect(reproductionVerdict(twice(), { crashType }), crashType).toMatchObject({ status: 'reproduced', verdict: 'reproduced' });
    }
  });

  it('a claim mismatch is decided before the contract', () => {
    const runs = [...twice(), clean('introduced', introducedCommit)];
    expect(reproductionVerdict(runs, { crashType: 'Stack-overflow' })).toMatchObject({ verdict: 'claim-mismatch' });
  });

  it('no-crash-at-introduced: the introducing commit does not crash (or hangs)', () => {
    const v = reproductionVerdict([...twice(), clean('introduced', introducedCommit), clean('parent', parentCommit)], null);
    expect(v).toMatchObject({ status: 'not-reproduced', verdict: 'no-crash-at-introduced' });
    expect(v.status === 'not-reproduced' && v.detail).toContain(introducedCommit);
    const hang = reproductionVerdict([...twice(), hung('introduced', introducedCommit), clean('parent', parentCommit)], null);
    expect(hang).toMatchObject({ status: 'not-reproduced', verdict: 'no-crash-at-introduced' });
  });

  it('different-crash-at-introduced: the introducing commit crashes with another signature', () => {
    const v = reproductionVerdict([...twice(), crashed('introduced', useAfterFree, introducedCommit), clean('parent', parentCommit)], null);
    expect(v).toMatchObject({ status: 'not-reproduced', verdict: 'different-crash-at-introduced' });
    expect(v.status === 'not-reproduced' && v.detail).toBe(`at ${introducedCommit}: ${useAfterFree.key}; at the reported commit: ${heapOverflow.key}`);
  });

  it('crashes-at-parent: the parent of the introducing commit already crashes', () => {
    for (const parentCrash of [heapOverflow, useAfterFree]) {
      const v = reproductionVerdict([...twice(), crashed('introduced', heapOverflow, introducedCommit), crashed('parent', parentCrash, parentCommit)], null);
      expect(v).toMatchObject({ status: 'not-reproduced', verdict: 'crashes-at-parent' });
      expect(v.status === 'not-reproduced' && v.detail).toContain(parentCommit);
      expect(v.status === 'not-reproduced' && v.detail).toContain(parentCrash.key);
    }
  });

  it('run-failed: any run that errored, naming its role, commit and message', () => {
    const v = reproductionVerdict([broke('reported', 'build failed: make: *** [all] Error 2')], null);
    expect(v).toEqual({ status: 'error', verdict: 'run-failed', detail: `reported run at ${reportedCommit}: build failed: make: *** [all] Error 2` });
    const nullCommit = reproductionVerdict([broke('reported', 'no such file', null)], null);
    expect(nullCommit).toEqual({ status: 'error', verdict: 'run-failed', detail: 'reported run at the recipe commit: no such file' });
  });

  it('run-failed: an error at the parent outranks a crash everywhere else', () => {
    const runs = [...twice(), crashed('introduced', heapOverflow, introducedCommit), broke('parent', 'cannot check out', parentCommit)];
    expect(reproductionVerdict(runs, null)).toEqual({ status: 'error', verdict: 'run-failed', detail: `parent run at ${parentCommit}: cannot check out` });
  });

  it('run-failed: the introducing commit was run but not its parent', () => {
    const v = reproductionVerdict([...twice(), crashed('introduced', heapOverflow, introducedCommit)], null);
    expect(v).toMatchObject({ status: 'error', verdict: 'run-failed' });
    expect(v.status === 'error' && v.detail).toMatch(/not its parent/);
  });

  it('run-failed: no run at the reported commit at all', () => {
    expect(reproductionVerdict([], null)).toEqual({ status: 'error', verdict: 'run-failed', detail: 'no run at the reported commit' });
    expect(reproductionVerdict([crashed('introduced')], null)).toMatchObject({ status: 'error', verdict: 'run-failed' });
  });
});

describe('fixVerdict', () => {
  it('fix-verified: no crash at the fixed commit', () => {
    expect(fixVerdict(clean('fix'), heapOverflow)).toEqual({ status: 'fix-verified', verdict: 'no-crash' });
  });

  it('same-crash: still crashes with the reproduced signature', () => {
    expect(fixVerdict(crashed('fix'), heapOverflow)).toEqual({ status: 'fix-failed', verdict: 'same-crash', detail: `still crashes: ${heapOverflow.key}` });
  });

  it('different-crash: crashes with another signature', () => {
    expect(fixVerdict(crashed('fix', useAfterFree), heapOverflow)).toEqual({
      status: 'fix-failed',
      verdict: 'different-crash',
      detail: `crashes differently: ${useAfterFree.key} (was ${heapOverflow.key})`,
    });
    expect(fixVerdict(crashed('fix', heapOverflowWrite), heapOverflow)).toMatchObject({ status: 'fix-failed', verdict: 'different-crash' });
  });

  it('timeout: the proof of concept hangs at the fixed commit, which is not a verified fix', () => {
    expect(fixVerdict(hung('fix'), heapOverflow)).toMatchObject({ status: 'fix-failed', verdict: 'timeout' });
  });

  it('error: the run itself failed', () => {
    expect(fixVerdict(broke('fix', 'sandbox unavailable'), heapOverflow)).toEqual({ status: 'error', verdict: 'run-failed', detail: 'sandbox unavailable' });
  });
});

describe('claimMatches', () => {
  const cases: Array<[string, ClaimedCrash, boolean]> = [
    ['type only, exact', { crashType: 'Heap-buffer-overflow' }, true],
    ['type only, lower case with spaces', { crashType: 'heap buffer overflow' }, true],
    ['type only, underscores and surrounding punctuation', { crashType: '__heap_buffer_overflow!' }, true],
    ['empty frame list', { crashType: 'Heap-buffer-overflow', frames: [] }, true],
    ['top frame is the observed top frame', { crashType: 'Heap-buffer-overflow', frames: ['parse_header'] }, true],
    ['top frame is a deeper observed frame', { crashType: 'Heap-buffer-overflow', frames: ['read_file', 'nowhere'] }, true],
    ['only the first claimed frame counts', { crashType: 'Heap-buffer-overflow', frames: ['nowhere', 'parse_header'] }, false],
    ['frame names are compared exactly', { crashType: 'Heap-buffer-overflow', frames: ['Parse_Header'] }, false],
    ['a claimed frame with its argument list is normalized first', { crashType: 'Heap-buffer-overflow', frames: ['parse_header(char const*, unsigned long)'] }, true],
    ['a claimed frame with a compiler suffix is normalized first', { crashType: 'Heap-buffer-overflow', frames: ['parse_header.isra.0'] }, true],
    ['wrong type', { crashType: 'Heap-use-after-free' }, false],
    ['a type that is only a prefix', { crashType: 'Heap-buffer' }, false],
    ['a type with extra words', { crashType: 'Heap-buffer-overflow READ' }, false],
    ['wrong type, right frame', { crashType: 'Stack-buffer-overflow', frames: ['parse_header'] }, false],
  ];
  it.each(cases)('%s', (_name, claim, expected) => {
    expect(claimMatches(claim, heapOverflow)).toBe(expected);
  });
});

// ---------------------------------------------------------------------------------------------------------
// states.ts
// ---------------------------------------------------------------------------------------------------------

const U: ValidationState = { state: 'unvalidated' };
const rejected = (reason: (typeof rejectionReasons)[number]): ValidationState => ({ state: 'rejected', reason });
const notReproducible = rejected('not-reproducible');
const notAVuln = rejected('not-a-vulnerability');
const outOfScope = rejected('out-of-scope');
const duplicate = rejected('duplicate');
const corroborated = (orgs: number): ValidationState => ({ state: 'validated', method: 'corroboration', confidence: confidenceOf.corroboration(orgs) });
const reproduced: ValidationState = { state: 'validated', method: 'reproduction', confidence: confidenceOf.reproduction };
const reproducedWithContract: ValidationState = { state: 'validated', method: 'reproduction', confidence: confidenceOf.reproductionWithContract };
const attested: ValidationState = { state: 'validated', method: 'attestation', confidence: 1 };

const allStates: ValidationState[] = [U, ...rejectionReasons.map(rejected), corroborated(2), corroborated(3), corroborated(10), reproduced, reproducedWithContract, attested];

function label(s: ValidationState): string {
  if (s.state === 'unvalidated') return 'unvalidated';
  if (s.state === 'rejected') return `rejected(${s.reason})`;
  return `${s.method}(${s.confidence})`;
}

describe('automaticTransitionAllowed', () => {
  const table: Array<[string, ValidationState, ValidationState, boolean]> = [
    // from unvalidated: anything but unvalidated
    ['unvalidated → corroboration', U, corroborated(2), true],
    ['unvalidated → reproduction', U, reproduced, true],
    ['unvalidated → reproduction with contract', U, reproducedWithContract, true],
    ['unvalidated → attestation', U, attested, true],
    ['unvalidated → rejected (not-reproducible)', U, notReproducible, true],
    ['unvalidated → rejected (duplicate)', U, duplicate, true],
    ['unvalidated → unvalidated', U, U, false],
    // machines never reject a validated record
    ['corroboration → rejected (not-reproducible)', corroborated(2), notReproducible, false],
    ['reproduction → rejected (not-reproducible)', reproduced, notReproducible, false],
    ['attestation → rejected (not-reproducible)', attested, notReproducible, false],
    ['reproduction → rejected (duplicate)', reproduced, duplicate, false],
    // ... nor move anything back to unvalidated
    ['reproduction → unvalidated', reproduced, U, false],
    ['rejected → unvalidated', notReproducible, U, false],
    // machines never override an attestation
    ['attestation → reproduction', attested, reproduced, false],
    ['attestation → reproduction with contract', attested, reproducedWithContract, false],
    ['attestation → corroboration', attested, corroborated(10), false],
    // a reproduction outranks a corroboration, not the other way round
    ['corroboration (max) → reproduction', corroborated(10), reproduced, true],
    ['corroboration → reproduction with contract', corroborated(2), reproducedWithContract, true],
    ['reproduction → corroboration', reproduced, corroborated(10), false],
    ['reproduction with contract → corroboration', reproducedWithContract, corroborated(2), false],
    // a stronger reproduction replaces a weaker one
    ['reproduction → reproduction with contract', reproduced, reproducedWithContract, true],
    ['reproduction with contract → reproduction', reproducedWithContract, reproduced, false],
    ['reproduction → same reproduction', reproduced, reproduced, false],
    // corroboration with more confidence replaces less
    ['corroboration 2 orgs → 3 orgs', corroborated(2), corroborated(3), true],
    ['corroboration 3 orgs → 2 orgs', corroborated(3), corroborated(2), false],
    ['corroboration 2 orgs → 2 orgs', corroborated(2), corroborated(2), false],
    ['corroboration at the cap → more orgs (same confidence)', corroborated(4), corroborated(20), false],
    // machines do not attest
    ['corroboration → attestation', corroborated(2), attested, false],
    ['reproduction → attestation', reproduced, attested, false],
    // a reproduction may lift an automatic not-reproducible rejection ...
    ['rejected (not-reproducible) → reproduction', notReproducible, reproduced, true],
    ['rejected (not-reproducible) → reproduction with contract', notReproducible, reproducedWithContract, true],
    // ... but nothing else may, and no coordinator's other rejection moves
    ['rejected (not-reproducible) → corroboration', notReproducible, corroborated(10), false],
    ['rejected (not-reproducible) → attestation', notReproducible, attested, false],
    ['rejected (not-reproducible) → rejected (not-reproducible)', notReproducible, notReproducible, false],
    ['rejected (not-a-vulnerability) → reproduction', notAVuln, reproducedWithContract, false],
    ['rejected (out-of-scope) → reproduction', outOfScope, reproducedWithContract, false],
    ['rejected (duplicate) → reproduction', duplicate, reproducedWithContract, false],
    ['rejected (not-a-vulnerability) → corroboration', notAVuln, corroborated(10), false],
    ['rejected (duplicate) → rejected (not-reproducible)', duplicate, notReproducible, false],
  ];
  it.each(table)('%s', (_name, from, to, allowed) => {
    expect(automaticTransitionAllowed(from, to)).toBe(allowed);
  });

  it('over every pair of states: never to unvalidated, always from unvalidated, never out of attestation, never rejecting a validated record', () => {
    for (const from of allStates) {
      for (const to of allStates) {
        const allowed = automaticTransitionAllowed(from, to);
        const pair = `${label(from)} → ${label(to)}`;
        if (to.state === 'unvalidated') expect(allowed, pair).toBe(false);
        else if (from.state === 'unvalidated') expect(allowed, pair).toBe(true);
        if (from.state === 'validated' && from.method === 'attestation') expect(allowed, pair).toBe(false);
        if (from.state !== 'unvalidated' && to.state === 'rejected') expect(allowed, pair).toBe(false);
        // no move to a weaker state of the same method
        if (from.state === 'validated' && to.state === 'validated' && from.method === to.method && to.confidence <= from.confidence) expect(allowed, pair).toBe(false);
        // never allowed both ways (machines only strengthen)
        if (allowed && !sameState(from, to)) expect(automaticTransitionAllowed(to, from), `reverse of ${pair}`).toBe(false);
      }
    }
  });
});

describe('stateToColumns / stateFromColumns', () => {
  it.each(allStates.map((s) => [label(s), s] as const))('round trips %s', (_name, s) => {
    const columns = stateToColumns(s);
    expect(columns.validation_state).toBe(s.state);
    expect(stateFromColumns(columns)).toEqual(s);
    expect(sameState(stateFromColumns(columns), s)).toBe(true);
  });

  it('round trips every method and every rejection reason', () => {
    for (const method of validationMethods) {
      const s: ValidationState = { state: 'validated', method, confidence: 0.42 };
      expect(stateFromColumns(stateToColumns(s))).toEqual(s);
    }
    for (const reason of rejectionReasons) {
      const s: ValidationState = { state: 'rejected', reason };
      expect(stateFromColumns(stateToColumns(s))).toEqual(s);
    }
  });

  it('writes only the columns that belong to the state', () => {
    expect(stateToColumns(U)).toEqual({ validation_state: 'unvalidated', validation_method: null, validation_confidence: null, rejection_reason: null });
    expect(stateToColumns(reproduced)).toEqual({ validation_state: 'validated', validation_method: 'reproduction', validation_confidence: 0.95, rejection_reason: null });
    expect(stateToColumns(duplicate)).toEqual({ validation_state: 'rejected', validation_method: null, validation_confidence: null, rejection_reason: 'duplicate' });
  });

  it('reads stray columns of another state as absent, a missing confidence as 0, and an unknown state as unvalidated', () => {
    expect(stateFromColumns({ validation_state: 'unvalidated', validation_method: 'reproduction', validation_confidence: 0.9, rejection_reason: 'duplicate' })).toEqual(U);
    expect(stateFromColumns({ validation_state: 'rejected', validation_method: 'reproduction', validation_confidence: 0.9, rejection_reason: 'out-of-scope' })).toEqual(outOfScope);
    expect(stateFromColumns({ validation_state: 'validated', validation_method: 'corroboration', validation_confidence: null, rejection_reason: null })).toEqual({
      state: 'validated',
      method: 'corroboration',
      confidence: 0,
    });
    expect(stateFromColumns({ validation_state: 'something-else', validation_method: null, validation_confidence: null, rejection_reason: null })).toEqual(U);
  });
});

describe('sameState', () => {
  it('compares by value', () => {
    expect(sameState(corroborated(2), { state: 'validated', method: 'corroboration', confidence: confidenceOf.corroboration(2) })).toBe(true);
    expect(sameState(corroborated(2), corroborated(3))).toBe(false);
    expect(sameState(notReproducible, duplicate)).toBe(false);
    expect(sameState(U, { state: 'unvalidated' })).toBe(true);
  });
});

describe('confidenceOf', () => {
  it('corroboration grows with the number of organizations', () => {
    expect(confidenceOf.corroboration(2)).toBeCloseTo(0.7, 10);
    expect(confidenceOf.corroboration(3)).toBeCloseTo(0.8, 10);
    expect(confidenceOf.corroboration(3)).toBeGreaterThan(confidenceOf.corroboration(2));
  });

  it('corroboration is monotone (never decreasing) and capped at 0.9', () => {
    let previous = -Infinity;
    for (let orgs = 0; orgs <= 200; orgs++) {
      const c = confidenceOf.corroboration(orgs);
      expect(c, `${orgs} orgs`).toBeGreaterThanOrEqual(previous);
      expect(c, `${orgs} orgs`).toBeLessThanOrEqual(0.9);
      previous = c;
    }
    expect(confidenceOf.corroboration(4)).toBeCloseTo(0.9, 10);
    expect(confidenceOf.corroboration(5)).toBe(0.9);
    expect(confidenceOf.corroboration(1_000_000)).toBe(0.9);
  });

  it('no corroboration is as sure as a crash; a crash with the contract is surest', () => {
    expect(confidenceOf.corroboration(1_000)).toBeLessThan(confidenceOf.reproduction);
    expect(confidenceOf.reproduction).toBeLessThan(confidenceOf.reproductionWithContract);
    expect(confidenceOf.reproductionWithContract).toBeLessThanOrEqual(1);
  });
});

// ---------------------------------------------------------------------------------------------------------
// recipe.ts
// ---------------------------------------------------------------------------------------------------------

const goodGit = {
  sourceKind: 'git',
  source: 'https://git.example.org/hdr.git',
  commit: 'v1.2.3',
  buildCommand: 'make CFLAGS=-fsanitize=address',
  runCommand: './hdr {poc}',
};

describe('parseRecipe: good recipes', () => {
  it('accepts a git recipe and returns it unchanged', () => {
    expect(parseRecipe(goodGit)).toEqual(goodGit);
  });

  it('accepts git over ssh, git and file URLs and an absolute repository path, and commit ids, tags and branch names', () => {
    for (const source of ['ssh://git@git.example.org/hdr.git', 'git://git.example.org/hdr.git', 'file:///srv/repos/hdr', 'HTTP://git.example.org/hdr', '/srv/repos/hdr']) {
      expect(parseRecipe({ ...goodGit, source }).source).toBe(source);
    }
    for (const commit of ['0123456789abcdef0123456789abcdef01234567', 'v2.0.0-rc.1', 'release/2.x', 'feature_branch', 'a'.repeat(200)]) {
      expect(parseRecipe({ ...goodGit, commit }).commit).toBe(commit);
    }
  });

  it('accepts a path recipe, with no commit meaning null', () => {
    const recipe = parseRecipe({ sourceKind: 'path', source: '/srv/src/hdr', buildCommand: 'make', runCommand: './hdr < {poc}' });
    expect(recipe).toEqual({ sourceKind: 'path', source: '/srv/src/hdr', commit: null, buildCommand: 'make', runCommand: './hdr < {poc}' });
    expect(parseRecipe({ sourceKind: 'path', source: '/srv/src/hdr', commit: null, buildCommand: 'make', runCommand: './hdr {poc}' }).commit).toBeNull();
    expect(parseRecipe({ sourceKind: 'path', source: '/srv/src/hdr', commit: '1.4', buildCommand: 'make', runCommand: './hdr {poc}' }).commit).toBe('1.4');
  });

  it('accepts tarball recipes from an absolute path or an http(s) URL with any archive extension', () => {
    const sources = [
      '/srv/dist/hdr-1.0.tar.gz',
      '/srv/dist/hdr-1.0.tar',
      '/srv/dist/hdr-1.0.TGZ',
      '/srv/dist/hdr-1.0.tar.xz',
      '/srv/dist/hdr-1.0.txz',
      '/srv/dist/hdr-1.0.tar.bz2',
      '/srv/dist/hdr-1.0.tbz2',
      'https://dist.example.org/hdr-1.0.tar.gz',
      'http://dist.example.org/hdr-1.0.tgz?token=abc&x=1',
    ];
    for (const source of sources) {
      expect(parseRecipe({ sourceKind: 'tarball', source, commit: '1.0', buildCommand: './configure && make', runCommand: 'build/hdr {poc}' }), source).toMatchObject({
        sourceKind: 'tarball',
        source,
      });
    }
  });
});

describe('parseRecipe: bad recipes name the field at fault', () => {
  const bad: Array<[string, unknown, string]> = [
    ['not an object (null)', null, '/'],
    ['not an object (array)', [goodGit], '/'],
    ['not an object (string)', JSON.stringify(goodGit), '/'],
    ['an unknown field', { ...goodGit, env: { CC: 'clang' } }, '/env'],
    ['a misspelt field', { ...goodGit, runcommand: './x {poc}' }, '/runcommand'],
    ['a bad sourceKind', { ...goodGit, sourceKind: 'svn' }, '/sourceKind'],
    ['sourceKind in the wrong case', { ...goodGit, sourceKind: 'Git' }, '/sourceKind'],
    ['no sourceKind', { source: '/srv/x', buildCommand: 'make', runCommand: './x {poc}' }, '/sourceKind'],
    ['no source', { ...goodGit, source: undefined }, '/source'],
    ['an empty source', { ...goodGit, source: '' }, '/source'],
    ['a source that is not a string', { ...goodGit, source: ['/srv/x'] }, '/source'],
    ['a source over 2000 characters', { ...goodGit, source: '/' + 'a'.repeat(2000) }, '/source'],
    ['a NUL byte in the source', { ...goodGit, source: '/srv/repos/hdr\0.git' }, '/source'],
    ['a relative path source', { ...goodGit, sourceKind: 'path', source: 'src/hdr' }, '/source'],
    ['a dot-relative path source', { ...goodGit, sourceKind: 'path', source: './hdr' }, '/source'],
    ['a URL for a path source', { ...goodGit, sourceKind: 'path', source: 'file:///srv/src/hdr' }, '/source'],
    ['an https URL for a path source', { ...goodGit, sourceKind: 'path', source: 'https://example.org/hdr' }, '/source'],
    ['a tarball without an archive extension', { ...goodGit, sourceKind: 'tarball', source: 'https://dist.example.org/hdr-1.0.zip' }, '/source'],
    ['a tarball whose extension is only in the query', { ...goodGit, sourceKind: 'tarball', source: 'https://dist.example.org/download?f=hdr.tar.gz' }, '/source'],
    ['a tarball path without an archive extension', { ...goodGit, sourceKind: 'tarball', source: '/srv/dist/hdr-1.0' }, '/source'],
    ['a tarball over ftp', { ...goodGit, sourceKind: 'tarball', source: 'ftp://dist.example.org/hdr-1.0.tar.gz' }, '/source'],
    ['a relative tarball path', { ...goodGit, sourceKind: 'tarball', source: 'dist/hdr-1.0.tar.gz' }, '/source'],
    ['git over an unsupported scheme', { ...goodGit, source: 'ftp://git.example.org/hdr.git' }, '/source'],
    ['git from a relative path', { ...goodGit, source: 'repos/hdr' }, '/source'],
    ['git in scp-like syntax', { ...goodGit, source: 'git@git.example.org:hdr.git' }, '/source'],
    ['git without commit', { ...goodGit, commit: undefined }, '/commit'],
    ['git with a null commit', { ...goodGit, commit: null }, '/commit'],
    ['a commit with ..', { ...goodGit, commit: 'main..evil' }, '/commit'],
    ['a commit that is only ..', { ...goodGit, commit: '..' }, '/commit'],
    ['a commit with a space', { ...goodGit, commit: 'v1 && rm -rf /' }, '/commit'],
    ['a commit with a trailing space', { ...goodGit, commit: 'v1.0 ' }, '/commit'],
    ['a commit starting with a dash (an option)', { ...goodGit, commit: '--upload-pack=evil' }, '/commit'],
    ['a commit starting with a slash', { ...goodGit, commit: '/etc/passwd' }, '/commit'],
    ['a commit with shell metacharacters', { ...goodGit, commit: 'v1;id' }, '/commit'],
    ['an empty commit', { ...goodGit, commit: '' }, '/commit'],
    ['a commit over 200 characters', { ...goodGit, commit: 'a'.repeat(201) }, '/commit'],
    ['a commit that is a number', { ...goodGit, commit: 123 }, '/commit'],
    ['a NUL byte in the commit', { ...goodGit, commit: 'v1\0' }, '/commit'],
    ['a runCommand without {poc}', { ...goodGit, runCommand: './hdr input.bin' }, '/runCommand'],
    ['a runCommand with a misspelt placeholder', { ...goodGit, runCommand: './hdr {POC}' }, '/runCommand'],
    ['no runCommand', { ...goodGit, runCommand: undefined }, '/runCommand'],
    ['an empty build command', { ...goodGit, buildCommand: '' }, '/buildCommand'],
    ['a blank build command', { ...goodGit, buildCommand: ' \t\n ' }, '/buildCommand'],
    ['no build command', { ...goodGit, buildCommand: undefined }, '/buildCommand'],
    ['a build command that is not a string', { ...goodGit, buildCommand: ['make'] }, '/buildCommand'],
    ['a build command over 4000 characters', { ...goodGit, buildCommand: 'make ' + 'x'.repeat(4000) }, '/buildCommand'],
    ['a NUL byte in the build command', { ...goodGit, buildCommand: 'make\0' }, '/buildCommand'],
    ['a NUL byte in the run command', { ...goodGit, runCommand: './hdr {poc}\0' }, '/runCommand'],
  ];
  it.each(bad)('%s', (_name, input, field) => {
    const err = fails(() => parseRecipe(input));
    expect(err.code).toBe('invalid-field');
    expect(err.status).toBe(400);
    expect(err.field).toBe(field);
    expect(err.message.length).toBeGreaterThan(0);
  });

  it('names the unknown field itself in the message', () => {
    expect(fails(() => parseRecipe({ ...goodGit, dockerImage: 'x' })).message).toContain('dockerImage');
  });

  // an unknown key `a/b` is the RFC 6901 pointer `/a~1b`, not `/a/b` (member `b` of `a`)
  it('escapes / and ~ in an unknown field name (RFC 6901)', () => {
    expect(fails(() => parseRecipe({ ...goodGit, 'a/b': 1 })).field).toBe('/a~1b');
  });
});

describe('pocPathInside / expandRunCommand', () => {
  let dir: string;
  let emptyPath: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ch-recipe-'));
    // An empty PATH: the test runs with sh builtins only (printf, echo, :), so even if the quoting ever broke,
    // an injected `rm` or `touch` could not be found, and the injected builtins show up in the output.
    emptyPath = await mkdtemp(join(tmpdir(), 'ch-empty-path-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    await rm(emptyPath, { recursive: true, force: true });
  });

  async function sh(command: string): Promise<string> {
    const { stdout } = await run('/bin/sh', ['-c', command], { cwd: dir, env: { PATH: emptyPath } });
    return stdout;
  }

  it('replaces every {poc} with the quoted path and leaves the rest alone', () => {
    expect(expandRunCommand('./hdr {poc}', '/scratch/poc.bin')).toBe(`./hdr /scratch/poc.bin`);
    expect(expandRunCommand('cat {poc} | ./hdr --name="{poc}"', '/p')).toBe(`cat /p | ./hdr --name="/p"`);
  });

  it('refuses a path with shell syntax in it (the runner never passes the reporter\'s file name)', () => {
    for (const path of ["/scratch/a'; rm -rf / #", '/scratch/$(echo INJECTED)', `/scratch/${pocPlaceholder}`, '/scratch/a b', '-n', 'relative']) {
      expect(() => expandRunCommand('./hdr {poc}', path)).toThrow(/shell syntax/);
    }
  });

  const hostile = [
    "a'; echo INJECTED; '",
    'a"; echo INJECTED; "',
    '$(echo INJECTED)',
    '`echo INJECTED`',
    '${HOME:-INJECTED}',
    'a b\tc\nd',
    '*',
    '-n',
    "'",
    '\\',
    'a; echo INJECTED',
    'a && echo INJECTED',
    'a | echo INJECTED',
    'a > INJECTED',
    '~root',
    '!!',
    'x.$(id).bin',
    "crash.'png",
  ];
  it.each(hostile)('reduces the reporter file name %j to a safe path, whatever the quoting of {poc}', async (name) => {
    const path = pocPathInside(name);
    expect(path).toMatch(/^\/scratch\/poc(\.[A-Za-z0-9_-]{1,16})?$/);
    // bare, single-quoted and double-quoted placeholders all give the one literal path
    for (const template of [`printf '[%s]\\n' first {poc} last`, `printf '[%s]\\n' first "{poc}" last`, `printf '[%s]\\n' first '{poc}' last`]) {
      expect(await sh(expandRunCommand(template, path))).toBe(`[first]\n[${path}]\n[last]\n`);
    }
    expect(await readdir(dir)).toEqual([]); // no redirection created a file
  });

  it('keeps a plain extension of the reporter\'s file name, since programs may look at it', () => {
    expect(pocPathInside('crash.png')).toBe('/scratch/poc.png');
    expect(pocPathInside('input.tar')).toBe('/scratch/poc.tar');
    expect(pocPathInside('no-extension')).toBe('/scratch/poc');
    expect(pocPathInside('input.heap-overflow')).toBe('/scratch/poc.heap-overflow');
    expect(pocPathInside('weird.ext with space')).toBe('/scratch/poc');
    expect(pocPathInside('a.bin', '/work')).toBe('/work/poc.bin');
  });
});

// ---------------------------------------------------------------------------------------------------------
// policy.ts
// ---------------------------------------------------------------------------------------------------------

const defaults: PolicyValues = {
  'validation.corroborationOrgs': 2,
  'validation.autoReproduce': true,
  'sandbox.cpuSeconds': 10,
  'sandbox.wallSeconds': 30,
  'sandbox.memoryMb': 1024,
  'sandbox.maxProcesses': 64,
  'sandbox.maxOutputKb': 64,
  'disclosure.deadlineDays': 90,
  'disclosure.fixGraceDays': 30,
  'disclosure.exploitedDays': 7,
  'disclosure.detailDelayDays': 30,
  'disclosure.reminderDays': 14,
  'disclosure.escalateDays': 30,
  'disclosure.waveGapHours': 24,
  'maintainer.noticesPerPeriod': 5,
  'maintainer.periodDays': 7,
};

describe('policy defaults', () => {
  it('are the documented values, one per key', () => {
    expect(defaultPolicy()).toEqual(defaults);
    expect(Object.keys(defaultPolicy()).sort()).toEqual(Object.keys(policyKeys).sort());
  });

  it('each default passes its own check, and every key is described', () => {
    for (const [name, key] of Object.entries(policyKeys)) {
      expect((key.parse as (v: unknown, at: string) => unknown)(key.defaultValue, `/${name}`), name).toBe(key.defaultValue);
      expect(key.description.length, name).toBeGreaterThan(10);
    }
  });

  it('hands out a fresh object each time', () => {
    const a = defaultPolicy();
    a['sandbox.cpuSeconds'] = 999;
    expect(defaultPolicy()['sandbox.cpuSeconds']).toBe(10);
  });

  it('isPolicyName knows only the own keys, not inherited names', () => {
    expect(isPolicyName('sandbox.memoryMb')).toBe(true);
    for (const name of ['toString', 'constructor', '__proto__', 'hasOwnProperty', 'sandbox', 'sandbox.memorymb', '']) expect(isPolicyName(name), name).toBe(false);
  });
});

describe('parsePolicyUpdate', () => {
  it('accepts a partial update and returns only the keys named', () => {
    expect(parsePolicyUpdate({ 'sandbox.cpuSeconds': 20 })).toEqual({ 'sandbox.cpuSeconds': 20 });
    expect(parsePolicyUpdate({ 'validation.autoReproduce': false, 'validation.corroborationOrgs': 3 })).toEqual({
      'validation.autoReproduce': false,
      'validation.corroborationOrgs': 3,
    });
  });

  it('accepts the boundaries of each range', () => {
    const bounds: Array<[string, number, number]> = [
      ['validation.corroborationOrgs', 2, 50],
      ['sandbox.cpuSeconds', 1, 3600],
      ['sandbox.wallSeconds', 1, 3600],
      ['sandbox.memoryMb', 16, 65536],
      ['sandbox.maxProcesses', 1, 4096],
      ['sandbox.maxOutputKb', 1, 16384],
    ];
    for (const [name, min, max] of bounds) {
      expect(parsePolicyUpdate({ [name]: min })).toEqual({ [name]: min });
      expect(parsePolicyUpdate({ [name]: max })).toEqual({ [name]: max });
      expect(fails(() => parsePolicyUpdate({ [name]: min - 1 })).field, `${name} ${min - 1}`).toBe(`/${name}`);
      expect(fails(() => parsePolicyUpdate({ [name]: max + 1 })).field, `${name} ${max + 1}`).toBe(`/${name}`);
    }
  });

  const bad: Array<[string, unknown, string]> = [
    ['an unknown key', { 'sandbox.diskMb': 100 }, '/sandbox.diskMb'],
    ['an inherited name', { toString: 1 }, '/toString'],
    ['a key in the wrong case', { 'Sandbox.cpuSeconds': 5 }, '/Sandbox.cpuSeconds'],
    ['a good key followed by an unknown one', { 'sandbox.cpuSeconds': 5, nope: 1 }, '/nope'],
    ['a good key followed by a bad value', { 'sandbox.cpuSeconds': 5, 'sandbox.memoryMb': 8 }, '/sandbox.memoryMb'],
    ['corroborationOrgs of 1 (out of range)', { 'validation.corroborationOrgs': 1 }, '/validation.corroborationOrgs'],
    ['a negative limit', { 'sandbox.wallSeconds': -5 }, '/sandbox.wallSeconds'],
    ['a fraction', { 'sandbox.cpuSeconds': 2.5 }, '/sandbox.cpuSeconds'],
    ['a number as a string', { 'sandbox.cpuSeconds': '20' }, '/sandbox.cpuSeconds'],
    ['NaN', { 'sandbox.cpuSeconds': Number.NaN }, '/sandbox.cpuSeconds'],
    ['Infinity', { 'sandbox.maxOutputKb': Number.POSITIVE_INFINITY }, '/sandbox.maxOutputKb'],
    ['a boolean for a number', { 'sandbox.maxProcesses': true }, '/sandbox.maxProcesses'],
    ['null for a number', { 'sandbox.maxProcesses': null }, '/sandbox.maxProcesses'],
    ['a string for a boolean', { 'validation.autoReproduce': 'yes' }, '/validation.autoReproduce'],
    ['a number for a boolean', { 'validation.autoReproduce': 1 }, '/validation.autoReproduce'],
    ['an empty update', {}, '/'],
    ['null', null, '/'],
    ['an array', [['sandbox.cpuSeconds', 5]], '/'],
    ['a string', 'sandbox.cpuSeconds=5', '/'],
  ];
  it.each(bad)('refuses %s', (_name, input, field) => {
    const err = fails(() => parsePolicyUpdate(input));
    expect(err.code).toBe('invalid-field');
    expect(err.field).toBe(field);
  });

  it('lists the known settings when a key is unknown', () => {
    const message = fails(() => parsePolicyUpdate({ nope: 1 })).message;
    for (const name of Object.keys(policyKeys)) expect(message).toContain(name);
  });

  it('says what range a number must be in', () => {
    expect(fails(() => parsePolicyUpdate({ 'sandbox.memoryMb': 1 })).message).toContain('16 to 65536');
  });

  it('treats a JSON "__proto__" member as an unknown key, not as the prototype', () => {
    expect(fails(() => parsePolicyUpdate(JSON.parse('{"__proto__": {"sandbox.cpuSeconds": 5}}'))).field).toBe('/__proto__');
  });

  it('escapes / and ~ in an unknown key (RFC 6901)', () => {
    expect(fails(() => parsePolicyUpdate({ 'a/b~c': 1 })).field).toBe('/a~1b~0c');
  });
});

describe('effectivePolicy', () => {
  it('is the defaults when nothing is stored', () => {
    expect(effectivePolicy({})).toEqual(defaults);
  });

  it('takes the stored values over the defaults', () => {
    expect(effectivePolicy({ 'sandbox.cpuSeconds': 60, 'validation.autoReproduce': false })).toEqual({
      ...defaults,
      'sandbox.cpuSeconds': 60,
      'validation.autoReproduce': false,
    });
  });

  it('ignores stored keys it does not know', () => {
    const p = effectivePolicy({ 'sandbox.gpuCount': 4, toString: 5, 'sandbox.memoryMb': 2048 });
    expect(p).toEqual({ ...defaults, 'sandbox.memoryMb': 2048 });
    expect(Object.keys(p)).not.toContain('sandbox.gpuCount');
    expect(Object.prototype.hasOwnProperty.call(p, 'toString')).toBe(false);
  });

  it('falls back to the default for a stored value that no longer parses', () => {
    const p = effectivePolicy({
      'validation.corroborationOrgs': 1, // below a (since narrowed) range
      'sandbox.cpuSeconds': 7200, // above it
      'sandbox.wallSeconds': '30', // stored with the wrong type
      'sandbox.maxProcesses': null,
      'validation.autoReproduce': 'false',
      'sandbox.maxOutputKb': 128, // still fine
    });
    expect(p).toEqual({ ...defaults, 'sandbox.maxOutputKb': 128 });
  });
});
