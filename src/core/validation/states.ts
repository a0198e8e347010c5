// The validation state of a vulnerability record. A report is not a vulnerability until it is reproduced,
// corroborated by independent reporters, or attested by a coordinator; it may instead be rejected.
export const validationMethods = ['reproduction', 'corroboration', 'attestation'] as const;
export type ValidationMethod = (typeof validationMethods)[number];

export const rejectionReasons = ['not-reproducible', 'not-a-vulnerability', 'out-of-scope', 'duplicate'] as const;
export type RejectionReason = (typeof rejectionReasons)[number];

export type ValidationState =
  | { state: 'unvalidated' }
  | { state: 'validated'; method: ValidationMethod; confidence: number }
  | { state: 'rejected'; reason: RejectionReason };

/** How sure each kind of evidence makes us; a later, stronger piece of evidence may replace a weaker one. */
export const confidenceOf = {
  /** Crashed twice with one signature at the reported commit, and kept the proof-of-vulnerability contract. */
  reproductionWithContract: 0.99,
  reproduction: 0.95,
  /** Independent organizations found it; more of them, more confidence, never as much as a crash. */
  corroboration: (orgs: number) => Math.min(0.9, 0.5 + 0.1 * orgs),
} as const;

/**
 * Whether the clearinghouse's own evidence may move a record from `current` to `next`. Machines only
 * strengthen: they never override a coordinator's attestation or rejection, and a reproduction outranks a
 * corroboration. A failed reproduction rejects only a record nothing else has validated. Coordinators
 * (attest, reject) may move a record anywhere; their decision is logged with its rationale.
 */
export function automaticTransitionAllowed(current: ValidationState, next: ValidationState): boolean {
  if (next.state === 'unvalidated') return false;
  if (current.state === 'unvalidated') return true;
  if (next.state === 'rejected') return false;
  if (current.state === 'rejected') {
    // a crash is new evidence against an automatic "not reproducible"; a coordinator's rejection stands
    return current.reason === 'not-reproducible' && next.method === 'reproduction';
  }
  if (current.method === 'attestation') return false;
  if (next.method === 'reproduction') return current.method !== 'reproduction' || next.confidence > current.confidence;
  return next.method === current.method && next.confidence > current.confidence;
}

export function sameState(a: ValidationState, b: ValidationState): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export function stateFromColumns(row: { validation_state: string; validation_method: string | null; validation_confidence: number | null; rejection_reason: string | null }): ValidationState {
  if (row.validation_state === 'validated') return { state: 'validated', method: row.validation_method as ValidationMethod, confidence: row.validation_confidence ?? 0 };
  if (row.validation_state === 'rejected') return { state: 'rejected', reason: row.rejection_reason as RejectionReason };
  return { state: 'unvalidated' };
}

export function stateToColumns(s: ValidationState): { validation_state: ValidationState['state']; validation_method: string | null; validation_confidence: number | null; rejection_reason: string | null } {
  switch (s.state) {
    case 'validated':
      return { validation_state: 'validated', validation_method: s.method, validation_confidence: s.confidence, rejection_reason: null };
    case 'rejected':
      return { validation_state: 'rejected', validation_method: null, validation_confidence: null, rejection_reason: s.reason };
    default:
      return { validation_state: 'unvalidated', validation_method: null, validation_confidence: null, rejection_reason: null };
  }
}
