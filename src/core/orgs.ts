// Organizations: the kinds DESIGN.md names, operators' asset classes and CISA's 16 critical-infrastructure sectors.
import { invalidField } from './errors.js';

export const orgKinds = ['coordinator', 'scanner', 'maintainer', 'operator', 'partner', 'auditor'] as const;
export type OrgKind = (typeof orgKinds)[number];

/** Federal classes come first in every priority: National Security Systems, Department of War, civilian federal. */
export const assetClasses = ['nss', 'dow', 'fceb', 'sltt', 'ci'] as const;
export type AssetClass = (typeof assetClasses)[number];

/** The 16 sectors of PPD-21 / CISA, as slugs. */
export const ciSectors = [
  'chemical',
  'commercial-facilities',
  'communications',
  'critical-manufacturing',
  'dams',
  'defense-industrial-base',
  'emergency-services',
  'energy',
  'financial-services',
  'food-and-agriculture',
  'government-facilities',
  'healthcare-and-public-health',
  'information-technology',
  'nuclear-reactors-materials-and-waste',
  'transportation-systems',
  'water-and-wastewater-systems',
] as const;
export type CiSector = (typeof ciSectors)[number];

/** Where an operator sits: `ci` always names its sector, the other classes never do. */
export type OperatorClass =
  | { assetClass: Exclude<AssetClass, 'ci'>; sector: null }
  | { assetClass: 'ci'; sector: CiSector };

export type OrgProfile = { kind: Exclude<OrgKind, 'operator'> } | ({ kind: 'operator' } & OperatorClass);

export interface Org {
  id: string;
  name: string;
  profile: OrgProfile;
  createdAt: Date;
}

export interface NewOrgInput {
  name: unknown;
  kind: unknown;
  assetClass?: unknown;
  sector?: unknown;
}

const namePattern = /^[\p{L}\p{N}][\p{L}\p{N} .,&'()\-_/]{0,119}$/u;

function isOneOf<T extends string>(list: readonly T[], value: unknown): value is T {
  return typeof value === 'string' && (list as readonly string[]).includes(value);
}

/** Checks a request to create an organization and returns it in a shape that cannot be half-valid. */
export function parseNewOrg(input: NewOrgInput): { name: string; profile: OrgProfile } {
  const name = typeof input.name === 'string' ? input.name.trim() : input.name;
  if (typeof name !== 'string' || !namePattern.test(name)) {
    throw invalidField('/name', 'name must be 1–120 letters, digits, spaces or .,&\'()-_/ and start with a letter or digit');
  }
  if (!isOneOf(orgKinds, input.kind)) {
    throw invalidField('/kind', `kind must be one of ${orgKinds.join(', ')}`);
  }
  const hasClass = input.assetClass !== undefined && input.assetClass !== null;
  const hasSector = input.sector !== undefined && input.sector !== null;
  if (input.kind !== 'operator') {
    if (hasClass) throw invalidField('/assetClass', 'only operator organizations carry an asset class');
    if (hasSector) throw invalidField('/sector', 'only operator organizations carry a sector');
    return { name, profile: { kind: input.kind } };
  }
  if (!isOneOf(assetClasses, input.assetClass)) {
    throw invalidField('/assetClass', `an operator needs an asset class: one of ${assetClasses.join(', ')}`);
  }
  if (input.assetClass === 'ci') {
    if (!isOneOf(ciSectors, input.sector)) {
      throw invalidField('/sector', `a critical-infrastructure operator needs a sector: one of ${ciSectors.join(', ')}`);
    }
    return { name, profile: { kind: 'operator', assetClass: 'ci', sector: input.sector } };
  }
  if (hasSector) throw invalidField('/sector', `only asset class ci carries a sector, not ${input.assetClass}`);
  return { name, profile: { kind: 'operator', assetClass: input.assetClass, sector: null } };
}

export function orgAssetClass(profile: OrgProfile): AssetClass | null {
  return profile.kind === 'operator' ? profile.assetClass : null;
}

export function orgSector(profile: OrgProfile): CiSector | null {
  return profile.kind === 'operator' ? profile.sector : null;
}
