// CISA's SSVC decision tree (Track, Track*, Attend, Act), the path each decision takes, and how the clearinghouse
// derives the tree's four inputs from what it knows: KEV, proofs of concept, CVSS vectors and operators' classes.
//
// Source: CISA, "Stakeholder-Specific Vulnerability Categorization Guide" (November 2022),
// https://www.cisa.gov/stakeholder-specific-vulnerability-categorization-ssvc — the decision tree of its figure
// as CERT/CC publishes it in machine-readable form: CERTCC/SSVC, data/csv/cisa/cisa_coordinator_2_0_3.csv and
// data/json/decision_tables/cisa/cisa_coordinator_2_0_3.json ("CISA Coordinator" 2.0.3; decision points
// Exploitation 1.1.0, Automatable 2.0.0, Technical Impact 1.0.0, Mission and Well-Being Impact 1.0.0; outcome
// CISA Levels 1.1.0). test/core/scoring.test.ts checks every one of its 36 leaves against that table.
import { invalidField } from '../errors.js';
import type { AssetClass, CiSector, OperatorClass } from '../orgs.js';
import type { CvssScore } from './cvss.js';

export const ssvcDecisions = ['Track', 'Track*', 'Attend', 'Act'] as const;
/** In rising urgency: Track < Track* < Attend < Act. */
export type SsvcDecision = (typeof ssvcDecisions)[number];

export const exploitationValues = ['none', 'public-poc', 'active'] as const;
export type Exploitation = (typeof exploitationValues)[number];
export type Automatable = 'no' | 'yes';
export type TechnicalImpact = 'partial' | 'total';
export const missionWellbeingValues = ['low', 'medium', 'high'] as const;
export type MissionWellbeing = (typeof missionWellbeingValues)[number];

export interface SsvcInputs {
  exploitation: Exploitation;
  automatable: Automatable;
  technicalImpact: TechnicalImpact;
  missionWellbeing: MissionWellbeing;
}

export type SsvcDecisionPoint = 'Exploitation' | 'Automatable' | 'Technical Impact' | 'Mission & Well-being';

export interface SsvcStep {
  decisionPoint: SsvcDecisionPoint;
  value: string;
}

export interface SsvcResult {
  decision: SsvcDecision;
  /** The branches taken, root first. */
  path: SsvcStep[];
  inputs: SsvcInputs;
}

// ---------- the tree ----------

type Leaves = Readonly<Record<MissionWellbeing, SsvcDecision>>;
type ByImpact = Readonly<Record<TechnicalImpact, Leaves>>;
type ByAutomatable = Readonly<Record<Automatable, ByImpact>>;

/** Exploitation → Automatable → Technical Impact → Mission & Well-being, as in CISA's figure. */
const cisaTree: Readonly<Record<Exploitation, ByAutomatable>> = {
  none: {
    no: {
      partial: { low: 'Track', medium: 'Track', high: 'Track' },
      total: { low: 'Track', medium: 'Track', high: 'Track*' },
    },
    yes: {
      partial: { low: 'Track', medium: 'Track', high: 'Attend' },
      total: { low: 'Track', medium: 'Track', high: 'Attend' },
    },
  },
  'public-poc': {
    no: {
      partial: { low: 'Track', medium: 'Track', high: 'Track*' },
      total: { low: 'Track', medium: 'Track*', high: 'Attend' },
    },
    yes: {
      partial: { low: 'Track', medium: 'Track', high: 'Attend' },
      total: { low: 'Track', medium: 'Track*', high: 'Attend' },
    },
  },
  active: {
    no: {
      partial: { low: 'Track', medium: 'Track', high: 'Attend' },
      total: { low: 'Track', medium: 'Attend', high: 'Act' },
    },
    yes: {
      partial: { low: 'Attend', medium: 'Attend', high: 'Act' },
      total: { low: 'Attend', medium: 'Act', high: 'Act' },
    },
  },
};

function oneOf<T extends string>(list: readonly T[], value: unknown, field: string): T {
  if (typeof value !== 'string' || !(list as readonly string[]).includes(value)) {
    throw invalidField(field, `${field} must be one of ${list.join(', ')}`);
  }
  return value as T;
}

/** Walks CISA's tree. Every input is required: SSVC has no "unknown" value (pick an assumption and say so). */
export function ssvcDecide(inputs: SsvcInputs): SsvcResult {
  const exploitation = oneOf(exploitationValues, inputs.exploitation, 'exploitation');
  const automatable = oneOf(['no', 'yes'] as const, inputs.automatable, 'automatable');
  const technicalImpact = oneOf(['partial', 'total'] as const, inputs.technicalImpact, 'technicalImpact');
  const missionWellbeing = oneOf(missionWellbeingValues, inputs.missionWellbeing, 'missionWellbeing');
  const decision = cisaTree[exploitation][automatable][technicalImpact][missionWellbeing];
  return {
    decision,
    path: [
      { decisionPoint: 'Exploitation', value: exploitation },
      { decisionPoint: 'Automatable', value: automatable },
      { decisionPoint: 'Technical Impact', value: technicalImpact },
      { decisionPoint: 'Mission & Well-being', value: missionWellbeing },
    ],
    inputs: { exploitation, automatable, technicalImpact, missionWellbeing },
  };
}

/** 0 for Act … 3 for Track: ascending is most urgent first. */
export function ssvcRank(decision: SsvcDecision): number {
  return 3 - ssvcDecisions.indexOf(decision);
}

/** Every leaf of the tree, in the published table's order (for tests and documentation). */
export function ssvcLeaves(): Array<SsvcInputs & { decision: SsvcDecision }> {
  const out: Array<SsvcInputs & { decision: SsvcDecision }> = [];
  for (const exploitation of exploitationValues) {
    for (const automatable of ['no', 'yes'] as const) {
      for (const technicalImpact of ['partial', 'total'] as const) {
        for (const missionWellbeing of missionWellbeingValues) {
          out.push({ exploitation, automatable, technicalImpact, missionWellbeing, decision: cisaTree[exploitation][automatable][technicalImpact][missionWellbeing] });
        }
      }
    }
  }
  return out;
}

// ---------- deriving the inputs ----------

export interface Derived<T> {
  value: T;
  /** How the value was reached, in words, for the priority's explanation. */
  reason: string;
}

export interface ExploitationEvidence {
  /** Listed in CISA's Known Exploited Vulnerabilities catalog. */
  inKev: boolean;
  /** A proof of concept exists (public, or submitted with the finding). */
  proofOfConcept: boolean;
  /** The clearinghouse reproduced the flaw (validation). */
  reproduced: boolean;
}

/**
 * Exploitation: `active` when the vulnerability is in KEV (CISA's own evidence of exploitation in the wild);
 * `public-poc` when a proof of concept exists or the clearinghouse reproduced the flaw — a working exploit held
 * here counts, because other scanners pointed at the same code can produce the same one; otherwise `none`.
 */
export function exploitationFrom(e: ExploitationEvidence): Derived<Exploitation> {
  if (e.inKev) return { value: 'active', reason: 'in CISA KEV: exploited in the wild' };
  if (e.reproduced) return { value: 'public-poc', reason: 'reproduced by the clearinghouse: a working proof of concept exists' };
  if (e.proofOfConcept) return { value: 'public-poc', reason: 'a proof of concept exists' };
  return { value: 'none', reason: 'not in KEV, no proof of concept, not reproduced' };
}

function baseMetric(score: CvssScore, v3: string, v4: string): string | undefined {
  return score.metrics[score.version === '4.0' ? v4 : v3];
}

/**
 * Automatable, from a CVSS vector when nobody assessed it: the CVSS 4.0 supplemental metric AU when set (CVSS's
 * Automatable is SSVC's, per CERT/CC); otherwise `yes` when AV:N, PR:N and UI:N — CERT/CC notes that with a network
 * attack vector and no privileges the delivery step is likely automatable, and needing a user's action is not.
 * Without a vector: `no`, stated as an assumption.
 */
export function automatableFrom(score: CvssScore | null): Derived<Automatable> {
  if (!score) return { value: 'no', reason: 'no CVSS vector and no assessment: assumed no' };
  const au = score.version === '4.0' ? score.metrics.AU : undefined;
  if (au === 'Y') return { value: 'yes', reason: 'CVSS 4.0 AU:Y' };
  if (au === 'N') return { value: 'no', reason: 'CVSS 4.0 AU:N' };
  const av = score.metrics.AV;
  const pr = score.metrics.PR;
  const ui = score.metrics.UI;
  const yes = av === 'N' && pr === 'N' && ui === 'N';
  return { value: yes ? 'yes' : 'no', reason: `CVSS AV:${av}/PR:${pr}/UI:${ui}: ${yes ? 'network, no privileges, no user action' : 'not network + no privileges + no user action'}` };
}

/**
 * Technical Impact, from a CVSS vector when nobody assessed it, by CERT/CC's CVSS-to-Technical-Impact table
 * (CERTCC/SSVC data/csv/ssvc/cvssv4_to_technical_impact_1_0_0.csv, applied to 3.x's C/I as to 4.0's VC/VI):
 * `total` when confidentiality and integrity are both High, or when privileges are None and one of them is High
 * and the other Low; otherwise `partial`. Without a vector: `partial`, stated as an assumption.
 */
export function technicalImpactFrom(score: CvssScore | null): Derived<TechnicalImpact> {
  if (!score) return { value: 'partial', reason: 'no CVSS vector and no assessment: assumed partial' };
  const c = baseMetric(score, 'C', 'VC');
  const i = baseMetric(score, 'I', 'VI');
  const pr = score.metrics.PR;
  const total = (c === 'H' && i === 'H') || (pr === 'N' && ((c === 'H' && i === 'L') || (c === 'L' && i === 'H')));
  const names = score.version === '4.0' ? ['VC', 'VI'] : ['C', 'I'];
  return { value: total ? 'total' : 'partial', reason: `CVSS ${names[0]}:${c}/${names[1]}:${i}/PR:${pr} (CERT/CC table)` };
}

// ---------- Mission & Well-being from the operator ----------

export type MissionPrevalence = 'minimal' | 'support' | 'essential';
export type PublicWellbeingImpact = 'minimal' | 'material' | 'irreversible';

/** CISA's Mission & Well-being table (SSVC guide; CERTCC/SSVC data/csvs/mission-and-well-being_v1.csv). */
export function missionAndWellbeing(prevalence: MissionPrevalence, wellbeing: PublicWellbeingImpact): MissionWellbeing {
  if (prevalence === 'essential' || wellbeing === 'irreversible') return 'high';
  if (prevalence === 'support' || wellbeing === 'material') return 'medium';
  return 'low';
}

/**
 * Critical-infrastructure sectors whose compromise can cause physical harm or loss of life — CISA's
 * "irreversible" public well-being impact: lifeline and safety-critical sectors.
 */
export const irreversibleSectors: ReadonlySet<CiSector> = new Set<CiSector>([
  'chemical',
  'dams',
  'emergency-services',
  'energy',
  'healthcare-and-public-health',
  'nuclear-reactors-materials-and-waste',
  'transportation-systems',
  'water-and-wastewater-systems',
]);

const federal: ReadonlySet<AssetClass> = new Set<AssetClass>(['nss', 'dow', 'fceb']);

export function isFederal(assetClass: AssetClass): boolean {
  return federal.has(assetClass);
}

/**
 * The clearinghouse's mapping from an operator's class to SSVC's Mission Prevalence and Public Well-being Impact,
 * and so to Mission & Well-being (by CISA's table above):
 *
 * | operator                                   | mission prevalence | public well-being | M&W    |
 * |--------------------------------------------|--------------------|-------------------|--------|
 * | `nss`, `dow`, `fceb` (federal)             | essential          | material          | high   |
 * | `ci`, sector in `irreversibleSectors`      | support            | irreversible      | high   |
 * | `ci`, any other sector                     | support            | material          | medium |
 * | `sltt`                                     | support            | material          | medium |
 *
 * Federal systems are mission-essential by the executive order's priority (federal first). A sector whose failure
 * can kill (energy, water, healthcare, …) meets CISA's "irreversible" well-being impact whatever its mission.
 * Nothing known to be exposed is `minimal`/`minimal` → low (see `missionWellbeingFromExposure`).
 */
export function missionWellbeingFor(operator: OperatorClass): Derived<MissionWellbeing> & { prevalence: MissionPrevalence; wellbeing: PublicWellbeingImpact } {
  let prevalence: MissionPrevalence;
  let wellbeing: PublicWellbeingImpact;
  let why: string;
  if (isFederal(operator.assetClass)) {
    prevalence = 'essential';
    wellbeing = 'material';
    why = `${operator.assetClass} is a federal class: mission essential`;
  } else if (operator.assetClass === 'ci' && irreversibleSectors.has(operator.sector)) {
    prevalence = 'support';
    wellbeing = 'irreversible';
    why = `ci sector ${operator.sector} can suffer physical harm or loss of life: well-being irreversible`;
  } else {
    prevalence = 'support';
    wellbeing = 'material';
    why = operator.assetClass === 'ci' ? `ci sector ${operator.sector}: mission support, well-being material` : 'sltt: mission support, well-being material';
  }
  const value = missionAndWellbeing(prevalence, wellbeing);
  return { value, prevalence, wellbeing, reason: `${why} → ${value}` };
}

const mwRank: Record<MissionWellbeing, number> = { low: 0, medium: 1, high: 2 };

/** Over several exposed operators, the highest Mission & Well-being wins; none exposed → low. */
export function missionWellbeingFromExposure(operators: readonly OperatorClass[]): Derived<MissionWellbeing> {
  if (operators.length === 0) return { value: 'low', reason: 'no operator asset known to be exposed: mission prevalence and well-being minimal' };
  let best = missionWellbeingFor(operators[0] as OperatorClass);
  for (const op of operators.slice(1)) {
    const next = missionWellbeingFor(op);
    if (mwRank[next.value] > mwRank[best.value]) best = next;
  }
  return { value: best.value, reason: `highest over ${operators.length} exposed operator(s): ${best.reason}` };
}
