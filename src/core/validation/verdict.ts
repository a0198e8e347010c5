// What a set of sandbox runs of one proof of concept proves. Pure: the runs come in, a verdict goes out.
//
// Reproduction: the proof of concept must crash at the reported commit twice with the same signature (a
// signature that changes on the retry is flakiness, not a reproduction), match what the reporter said it
// would do, and, when the reporter names the commit that introduced the bug, also crash at that commit
// with the same signature and not crash at its parent (the proof-of-vulnerability contract).
// Fix verification: the same proof of concept no longer crashes at the fixed commit.
import { normalizeFrameName } from './crash-signature.js';

/** A crash as the sandbox saw it: the normalized signature (see crash-signature.ts) and its stable key. */
export interface ObservedCrash {
  crashType: string;
  frames: string[];
  key: string;
}

export type RunRole = 'reported' | 'reported-retry' | 'introduced' | 'parent' | 'fix';

export type RunObservation =
  | { role: RunRole; commit: string | null; result: 'crash'; crash: ObservedCrash }
  | { role: RunRole; commit: string | null; result: 'no-crash' | 'timeout' }
  | { role: RunRole; commit: string | null; result: 'error'; message: string };

/** What the reporter said the proof of concept does. */
export interface ClaimedCrash {
  crashType: string;
  frames?: string[];
}

export type ReproductionVerdict =
  | { status: 'reproduced'; crash: ObservedCrash; contract: boolean; verdict: 'reproduced' | 'reproduced-with-contract' }
  | { status: 'not-reproduced'; verdict: 'no-crash' | 'timeout' | 'flaky-signature' | 'claim-mismatch' | 'no-crash-at-introduced' | 'different-crash-at-introduced' | 'crashes-at-parent'; detail: string }
  | { status: 'error'; verdict: 'run-failed'; detail: string };

export type FixVerdict =
  | { status: 'fix-verified'; verdict: 'no-crash' }
  | { status: 'fix-failed'; verdict: 'same-crash' | 'different-crash' | 'timeout'; detail: string }
  | { status: 'error'; verdict: 'run-failed'; detail: string };

function byRole(runs: RunObservation[], role: RunRole): RunObservation | undefined {
  return runs.find((r) => r.role === role);
}

function normType(t: string): string {
  return t.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

/**
 * A claim matches when the crash type is the same and the claimed top frame is among the observed top
 * frames, both normalized alike (a claimed `parse_header(char const*)` or `parse_header.isra.0` is `parse_header`).
 */
export function claimMatches(claim: ClaimedCrash, crash: ObservedCrash): boolean {
  if (normType(claim.crashType) !== normType(crash.crashType)) return false;
  const top = claim.frames?.[0];
  return top === undefined || crash.frames.includes(normalizeFrameName(top));
}

export function reproductionVerdict(runs: RunObservation[], claim: ClaimedCrash | null): ReproductionVerdict {
  const failed = runs.find((r) => r.result === 'error');
  if (failed && failed.result === 'error') return { status: 'error', verdict: 'run-failed', detail: `${failed.role} run at ${failed.commit ?? 'the recipe commit'}: ${failed.message}` };
  const first = byRole(runs, 'reported');
  const retry = byRole(runs, 'reported-retry');
  if (!first) return { status: 'error', verdict: 'run-failed', detail: 'no run at the reported commit' };
  if (first.result === 'timeout') return { status: 'not-reproduced', verdict: 'timeout', detail: 'the proof of concept ran into the time limit without crashing' };
  if (first.result !== 'crash') return { status: 'not-reproduced', verdict: 'no-crash', detail: 'the proof of concept did not crash the reported commit' };
  if (retry && (retry.result !== 'crash' || retry.crash.key !== first.crash.key)) {
    const second = retry.result === 'crash' ? retry.crash.key : retry.result;
    return { status: 'not-reproduced', verdict: 'flaky-signature', detail: `first run: ${first.crash.key}; retry: ${second}` };
  }
  if (claim && !claimMatches(claim, first.crash)) {
    return { status: 'not-reproduced', verdict: 'claim-mismatch', detail: `claimed ${claim.crashType}${claim.frames?.length ? ` in ${claim.frames[0]}` : ''}, observed ${first.crash.key}` };
  }
  const introduced = byRole(runs, 'introduced');
  const parent = byRole(runs, 'parent');
  if (introduced) {
    if (introduced.result !== 'crash') return { status: 'not-reproduced', verdict: 'no-crash-at-introduced', detail: `no crash at the introducing commit ${introduced.commit}` };
    if (introduced.crash.key !== first.crash.key) {
      return { status: 'not-reproduced', verdict: 'different-crash-at-introduced', detail: `at ${introduced.commit}: ${introduced.crash.key}; at the reported commit: ${first.crash.key}` };
    }
    if (!parent) return { status: 'error', verdict: 'run-failed', detail: 'the introducing commit was run but not its parent' };
    if (parent.result === 'crash') return { status: 'not-reproduced', verdict: 'crashes-at-parent', detail: `the parent ${parent.commit} of the introducing commit already crashes: ${parent.crash.key}` };
    return { status: 'reproduced', crash: first.crash, contract: true, verdict: 'reproduced-with-contract' };
  }
  return { status: 'reproduced', crash: first.crash, contract: false, verdict: 'reproduced' };
}

export function fixVerdict(run: RunObservation, reproduced: ObservedCrash): FixVerdict {
  if (run.result === 'error') return { status: 'error', verdict: 'run-failed', detail: run.message };
  if (run.result === 'no-crash') return { status: 'fix-verified', verdict: 'no-crash' };
  if (run.result !== 'crash') return { status: 'fix-failed', verdict: 'timeout', detail: 'the proof of concept hangs at the fixed commit' };
  if (run.crash.key === reproduced.key) return { status: 'fix-failed', verdict: 'same-crash', detail: `still crashes: ${run.crash.key}` };
  return { status: 'fix-failed', verdict: 'different-crash', detail: `crashes differently: ${run.crash.key} (was ${reproduced.key})` };
}
