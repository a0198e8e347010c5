// One explainable remediation priority per vulnerability, and per (vulnerability, operator): a key that sorts most
// urgent first and a list of every input, its value and how it counted.
//
// Order, each step breaking the previous one's ties:
//   1. SSVC decision (CISA tree, see ssvc.ts): Act, then Attend, then Track*, then Track.
//   2. Exposure, weighted by asset class — federal systems first: more exposed assets in `nss`+`dow`+`fceb`, then
//      more in `sltt`+`ci`, then (between equal federal totals) more in `nss`, then more in `dow`.
//   3. EPSS probability, higher first; a vulnerability without an EPSS score comes after every scored one.
//   4. CVSS score (`scoreCvss().score`), higher first; without a vector, after every scored one.
//   5. Vulnerability id, then operator id, ascending: only so that the order is total and stable.
import { invalidField } from '../errors.js';
import { assetClasses, type AssetClass, type OperatorClass } from '../orgs.js';
import { scoreCvss, type CvssScore } from './cvss.js';
import {
  automatableFrom,
  exploitationFrom,
  missionWellbeingFor,
  missionWellbeingFromExposure,
  ssvcDecide,
  ssvcRank,
  type Automatable,
  type Derived,
  type MissionWellbeing,
  type SsvcDecision,
  type SsvcResult,
  type TechnicalImpact,
  technicalImpactFrom,
} from './ssvc.js';

/** One operator's assets affected by the vulnerability (from SBOM matching). */
export interface OperatorExposure {
  operatorId: string;
  operatorClass: OperatorClass;
  /** How many of its assets are exposed; 0 means none (the operator then does not count). */
  assets: number;
  /** The operator's own Mission & Well-being assessment, replacing the one derived from its class. */
  missionWellbeing?: MissionWellbeing | null;
}

export interface VulnerabilityFacts {
  vulnerabilityId: string;
  cvssVector?: string | null;
  /** The vulnerability's entry in CISA KEV (a formats/kev.ts `KevEntry` fits), or null/absent when it is not listed. */
  kev?: { dateAdded: string; dueDate: string; knownRansomwareCampaignUse: boolean } | null;
  /** A proof of concept exists (public, or submitted with a finding). */
  proofOfConcept?: boolean;
  /** The clearinghouse reproduced the flaw. */
  reproduced?: boolean;
  epss?: { epss: number; percentile: number } | null;
  /** An analyst's assessment; when absent, derived from the CVSS vector (ssvc.ts `automatableFrom`). */
  automatable?: Automatable | null;
  /** An analyst's assessment; when absent, derived from the CVSS vector (ssvc.ts `technicalImpactFrom`). */
  technicalImpact?: TechnicalImpact | null;
  exposure?: readonly OperatorExposure[];
}

export type ExplanationValue = string | number | boolean | null | Readonly<Record<string, number | string | null>>;

export interface ExplanationItem {
  input: string;
  value: ExplanationValue;
  /** How the value counted, in words. */
  effect: string;
}

export interface ExposureSummary {
  /** Exposed assets by asset class. */
  assetsByClass: Record<AssetClass, number>;
  federalAssets: number;
  nonFederalAssets: number;
  /** Operators with at least one exposed asset. */
  operators: number;
}

export interface Priority {
  vulnerabilityId: string;
  /** Set for a per-operator priority. */
  operatorId: string | null;
  decision: SsvcDecision;
  ssvc: SsvcResult;
  exposure: ExposureSummary;
  epss: number | null;
  cvssScore: number | null;
  /** Sorts most urgent first, ascending, as a plain string (also in SQL `ORDER BY key` with the C collation). */
  key: string;
  explanation: ExplanationItem[];
}

const countWidth = 9;
const maxCount = 10 ** countWidth - 1;
const epssScale = 1_000_000;

const pad = (n: number, width: number) => String(n).padStart(width, '0');
/** More sorts first: the complement, fixed width. */
const more = (n: number) => pad(maxCount - Math.min(n, maxCount), countWidth);

function checkFacts(f: VulnerabilityFacts): void {
  if (typeof f.vulnerabilityId !== 'string' || f.vulnerabilityId === '') throw invalidField('vulnerabilityId', 'vulnerabilityId must be a non-empty string');
  if (f.epss) {
    for (const k of ['epss', 'percentile'] as const) {
      const v = f.epss[k];
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1) throw invalidField(`epss/${k}`, `${k} must be a number from 0 to 1`);
    }
  }
  (f.exposure ?? []).forEach((e, i) => {
    if (!Number.isSafeInteger(e.assets) || e.assets < 0) throw invalidField(`exposure/${i}/assets`, 'assets must be a non-negative integer');
    if (!(assetClasses as readonly string[]).includes(e.operatorClass.assetClass)) throw invalidField(`exposure/${i}/operatorClass/assetClass`, `assetClass must be one of ${assetClasses.join(', ')}`);
  });
}

function summarize(exposed: readonly OperatorExposure[]): ExposureSummary {
  const assetsByClass = Object.fromEntries(assetClasses.map((c) => [c, 0])) as Record<AssetClass, number>;
  for (const e of exposed) assetsByClass[e.operatorClass.assetClass] += e.assets;
  const federalAssets = assetsByClass.nss + assetsByClass.dow + assetsByClass.fceb;
  return { assetsByClass, federalAssets, nonFederalAssets: assetsByClass.sltt + assetsByClass.ci, operators: exposed.length };
}

function missionWellbeingOf(exposed: readonly OperatorExposure[]): Derived<MissionWellbeing> {
  const assessed = exposed.filter((e) => e.missionWellbeing);
  if (assessed.length === 0) return missionWellbeingFromExposure(exposed.map((e) => e.operatorClass));
  // An operator's own assessment replaces its class-derived value; the highest over all operators wins.
  const rank: Record<MissionWellbeing, number> = { low: 0, medium: 1, high: 2 };
  let best: Derived<MissionWellbeing> | null = null;
  for (const e of exposed) {
    const d: Derived<MissionWellbeing> = e.missionWellbeing
      ? { value: e.missionWellbeing, reason: `operator ${e.operatorId} assessed its own mission & well-being as ${e.missionWellbeing}` }
      : missionWellbeingFor(e.operatorClass);
    if (!best || rank[d.value] > rank[best.value]) best = d;
  }
  const b = best as Derived<MissionWellbeing>;
  return exposed.length === 1 ? b : { value: b.value, reason: `highest over ${exposed.length} exposed operator(s): ${b.reason}` };
}

function prioritize(f: VulnerabilityFacts, exposure: readonly OperatorExposure[], operatorId: string | null): Priority {
  checkFacts(f);
  const explanation: ExplanationItem[] = [];
  const cvss: CvssScore | null = f.cvssVector ? scoreCvss(f.cvssVector, 'cvssVector') : null;

  // SSVC inputs.
  const inKev = !!f.kev;
  const exploitation = exploitationFrom({ inKev, proofOfConcept: !!f.proofOfConcept, reproduced: !!f.reproduced });
  explanation.push({ input: 'kev', value: inKev, effect: inKev ? 'exploitation = active' : 'not in KEV: exploitation is not active' });
  if (f.kev) {
    explanation.push({ input: 'kev.dueDate', value: f.kev.dueDate, effect: `added ${f.kev.dateAdded}; federal remediation due date (BOD 22-01); does not change the order` });
    explanation.push({ input: 'kev.knownRansomwareCampaignUse', value: f.kev.knownRansomwareCampaignUse, effect: 'recorded; does not change the order' });
  }
  const pocEffect = (has: boolean, what: string) =>
    !has ? `no ${what}` : inKev ? `${what}, but KEV already makes exploitation active` : 'exploitation = public-poc';
  explanation.push({ input: 'proofOfConcept', value: !!f.proofOfConcept, effect: pocEffect(!!f.proofOfConcept, 'a proof of concept exists') });
  explanation.push({ input: 'reproduced', value: !!f.reproduced, effect: pocEffect(!!f.reproduced, 'reproduced by the clearinghouse') });

  const automatable: Derived<Automatable> = f.automatable ? { value: f.automatable, reason: 'assessed' } : automatableFrom(cvss);
  const technicalImpact: Derived<TechnicalImpact> = f.technicalImpact ? { value: f.technicalImpact, reason: 'assessed' } : technicalImpactFrom(cvss);
  explanation.push({ input: 'automatable', value: automatable.value, effect: `SSVC Automatable = ${automatable.value} (${automatable.reason})` });
  explanation.push({ input: 'technicalImpact', value: technicalImpact.value, effect: `SSVC Technical Impact = ${technicalImpact.value} (${technicalImpact.reason})` });

  const exposed = exposure.filter((e) => e.assets > 0);
  const summary = summarize(exposed);
  const mw = missionWellbeingOf(exposed);
  explanation.push({ input: 'missionWellbeing', value: mw.value, effect: `SSVC Mission & Well-being = ${mw.value} (${mw.reason})` });

  const ssvc = ssvcDecide({ exploitation: exploitation.value, automatable: automatable.value, technicalImpact: technicalImpact.value, missionWellbeing: mw.value });
  explanation.push({
    input: 'ssvc',
    value: ssvc.decision,
    effect: `first sort key (Act > Attend > Track* > Track); CISA tree path ${ssvc.path.map((s) => `${s.decisionPoint}: ${s.value}`).join(' → ')} → ${ssvc.decision}`,
  });

  // Exposure.
  const c = summary.assetsByClass;
  explanation.push({
    input: 'exposure',
    value: { ...c, operators: summary.operators },
    effect: summary.operators === 0
      ? 'second sort key: no exposed operator asset known, so after every exposed vulnerability with the same decision'
      : `second sort key: ${summary.federalAssets} federal asset(s) (nss ${c.nss}, dow ${c.dow}, fceb ${c.fceb}) rank ahead of ${summary.nonFederalAssets} sltt/ci asset(s) (sltt ${c.sltt}, ci ${c.ci}); between equal federal totals, nss then dow counts decide`,
  });

  // EPSS.
  const epss = f.epss ? f.epss.epss : null;
  explanation.push({
    input: 'epss',
    value: f.epss ? { epss: f.epss.epss, percentile: f.epss.percentile } : null,
    effect: f.epss
      ? `third sort key: probability ${f.epss.epss} (percentile ${f.epss.percentile}), higher first`
      : 'third sort key: no EPSS score, so after every scored vulnerability at this step',
  });

  // CVSS.
  const cvssScore = cvss ? cvss.score : null;
  explanation.push({
    input: 'cvss',
    value: cvss ? cvss.vector : null,
    effect: cvss
      ? `fourth sort key: CVSS ${cvss.version} score ${cvss.score} (${cvss.severity}${cvss.version === '4.0' ? `, ${cvss.nomenclature}` : ''}), higher first`
      : 'fourth sort key: no CVSS vector, so after every scored vulnerability at this step',
  });
  explanation.push({
    input: 'vulnerabilityId',
    value: f.vulnerabilityId,
    effect: operatorId === null ? 'last tie-break: ascending id, for a stable order' : 'tie-break after the scores: ascending id, then operator id',
  });
  if (operatorId !== null) explanation.push({ input: 'operatorId', value: operatorId, effect: 'last tie-break: ascending operator id' });

  const epssKey = epss === null ? pad(epssScale + 1, 7) : pad(epssScale - Math.round(epss * epssScale), 7);
  const cvssKey = cvssScore === null ? '101' : pad(100 - Math.round(cvssScore * 10), 3);
  const key = [
    String(ssvcRank(ssvc.decision)),
    more(summary.federalAssets),
    more(summary.nonFederalAssets),
    more(c.nss),
    more(c.dow),
    epssKey,
    cvssKey,
    f.vulnerabilityId,
    ...(operatorId === null ? [] : [operatorId]),
  ].join(' ');

  return { vulnerabilityId: f.vulnerabilityId, operatorId, decision: ssvc.decision, ssvc, exposure: summary, epss, cvssScore, key, explanation };
}

/** The vulnerability's priority over every operator exposed to it. */
export function vulnerabilityPriority(facts: VulnerabilityFacts): Priority {
  return prioritize(facts, facts.exposure ?? [], null);
}

/** The vulnerability's priority for one operator: that operator's class and assets only. */
export function operatorPriority(facts: VulnerabilityFacts, operator: OperatorExposure): Priority {
  if (typeof operator.operatorId !== 'string' || operator.operatorId === '') throw invalidField('operatorId', 'operatorId must be a non-empty string');
  return prioritize(facts, [operator], operator.operatorId);
}

/** Most urgent first. */
export function comparePriority(a: Priority, b: Priority): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/** Every (vulnerability, operator) pair with exposed assets, most urgent first. */
export function operatorQueue(vulnerabilities: readonly VulnerabilityFacts[]): Priority[] {
  const out: Priority[] = [];
  for (const v of vulnerabilities) for (const op of v.exposure ?? []) if (op.assets > 0) out.push(operatorPriority(v, op));
  return out.sort(comparePriority);
}
