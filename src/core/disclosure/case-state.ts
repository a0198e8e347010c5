// A disclosure case's states, the moves between them and the TLP 2.0 labels on cases and messages.
import { AppError, invalidField } from '../errors.js';

export const caseStates = ['open', 'maintainer-notified', 'fix-in-progress', 'fix-available', 'published', 'closed-unfixed', 'equities-hold'] as const;
export type CaseState = (typeof caseStates)[number];

/**
 * Which state may follow which. `equities-hold` can be entered from any live state (it needs a recorded
 * decision) and left back to the state it interrupted or to publication; the two ends are final.
 */
const moves: Record<CaseState, readonly CaseState[]> = {
  open: ['maintainer-notified', 'equities-hold', 'closed-unfixed'],
  'maintainer-notified': ['fix-in-progress', 'fix-available', 'published', 'equities-hold', 'closed-unfixed'],
  'fix-in-progress': ['fix-available', 'published', 'equities-hold', 'closed-unfixed'],
  'fix-available': ['published', 'equities-hold', 'closed-unfixed'],
  'equities-hold': ['open', 'maintainer-notified', 'fix-in-progress', 'fix-available', 'published', 'closed-unfixed'],
  published: [],
  'closed-unfixed': [],
};

export function canMove(from: CaseState, to: CaseState): boolean {
  return moves[from].includes(to);
}

export function assertMove(from: CaseState, to: CaseState): void {
  if (!canMove(from, to)) throw new AppError('conflict', `a case in state ${from} cannot move to ${to}${moves[from].length ? ` (it can move to ${moves[from].join(', ')})` : ' (it is final)'}`);
}

export const isLive = (s: CaseState) => s !== 'published' && s !== 'closed-unfixed';

/** TLP 2.0 (FIRST): who may receive what. */
export const tlpLabels = ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'] as const;
export type Tlp = (typeof tlpLabels)[number];

export function parseTlp(value: unknown, at: string): Tlp {
  const v = typeof value === 'string' ? value.toUpperCase().replace(/^TLP:/, '') : value;
  if (typeof v !== 'string' || !(tlpLabels as readonly string[]).includes(v)) throw invalidField(at, `TLP label must be one of ${tlpLabels.map((t) => `TLP:${t}`).join(', ')}`);
  return v as Tlp;
}

const tlpRank: Record<Tlp, number> = { CLEAR: 0, GREEN: 1, AMBER: 2, 'AMBER+STRICT': 3, RED: 4 };

/** A message in a case may be as restrictive as the case or more, never less (TLP:CLEAR in an AMBER case would leak). */
export function assertMessageTlp(caseTlp: Tlp, messageTlp: Tlp, at: string): void {
  if (tlpRank[messageTlp] < tlpRank[caseTlp]) throw invalidField(at, `a message in a TLP:${caseTlp} case cannot be TLP:${messageTlp}; use TLP:${caseTlp} or stricter`);
}

/**
 * Who may read a message of this label among the case's participants: RED only the author's organization and
 * the coordinators; AMBER+STRICT only the participant organizations themselves; AMBER and looser every participant.
 */
export function mayReadMessage(tlp: Tlp, reader: { orgId: string; isCoordinator: boolean }, authorOrgId: string): boolean {
  if (reader.isCoordinator || reader.orgId === authorOrgId) return true;
  return tlp !== 'RED';
}

export const vexStatuses = ['known_affected', 'known_not_affected', 'fixed', 'under_investigation'] as const;
export type VexStatus = (typeof vexStatuses)[number];

export const vexJustifications = [
  'component_not_present',
  'vulnerable_code_not_present',
  'vulnerable_code_cannot_be_controlled_by_adversary',
  'vulnerable_code_not_in_execute_path',
  'inline_mitigations_already_exist',
] as const;
export type VexJustification = (typeof vexJustifications)[number];
