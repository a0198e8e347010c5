// Operators' assets: what runs where, in which asset class and sector, and how much it matters. An asset
// takes its operator's class and sector unless it says otherwise (a federal operator may also run a
// critical-infrastructure plant).
import { invalidField } from './errors.js';
import { assetClasses, ciSectors, type OperatorClass } from './orgs.js';

export interface NewAsset {
  name: string;
  placement: OperatorClass;
  criticality: number;
}

const namePattern = /^[\p{L}\p{N}][\p{L}\p{N} .,:&'()\-_/]{0,199}$/u;

export function parseNewAsset(input: { name?: unknown; assetClass?: unknown; sector?: unknown; criticality?: unknown }, operator: OperatorClass): NewAsset {
  const name = typeof input.name === 'string' ? input.name.trim() : input.name;
  if (typeof name !== 'string' || !namePattern.test(name)) throw invalidField('/name', 'name must be 1–200 letters, digits, spaces or .,:&\'()-_/ and start with a letter or digit');
  const criticality = input.criticality ?? 0.5;
  if (typeof criticality !== 'number' || !(criticality >= 0 && criticality <= 1)) throw invalidField('/criticality', 'criticality must be a number from 0 to 1');
  const assetClass = input.assetClass ?? operator.assetClass;
  if (typeof assetClass !== 'string' || !(assetClasses as readonly string[]).includes(assetClass)) throw invalidField('/assetClass', `assetClass must be one of ${assetClasses.join(', ')}`);
  if (assetClass === 'ci') {
    const sector = input.sector ?? (input.assetClass === undefined ? operator.sector : undefined);
    if (typeof sector !== 'string' || !(ciSectors as readonly string[]).includes(sector)) throw invalidField('/sector', `a critical-infrastructure asset needs a sector: one of ${ciSectors.join(', ')}`);
    return { name, placement: { assetClass: 'ci', sector: sector as (typeof ciSectors)[number] }, criticality };
  }
  if (input.sector !== undefined && input.sector !== null) throw invalidField('/sector', `only asset class ci carries a sector, not ${assetClass}`);
  return { name, placement: { assetClass: assetClass as Exclude<OperatorClass['assetClass'], 'ci'>, sector: null }, criticality };
}
