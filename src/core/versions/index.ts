// Version ordering for every supported ecosystem, OSV affected-range evaluation and `vers:` ranges.
export {
  type Ordering,
  type OrderingName,
  InvalidVersionError,
  isInvalidVersionError,
} from './ordering.js';
export {
  orderings,
  orderingForOsvEcosystem,
  orderingForPurlType,
  orderingForVersScheme,
  osvEcosystemBase,
  supportedOsvEcosystems,
  supportedPurlTypes,
  supportedVersSchemes,
  npmOrdering,
  cargoOrdering,
  semverOrdering,
  pypiOrdering,
  gemOrdering,
  mavenOrdering,
  nugetOrdering,
  goOrdering,
  debianOrdering,
  alpineOrdering,
  rpmOrdering,
  intdotOrdering,
  lexicographicOrdering,
} from './ecosystems.js';
export { isPseudoVersion } from './go.js';
export { rpmvercmp } from './rpm.js';
export {
  isAffected,
  type AffectedVerdict,
  type OsvAffectedVersions,
  type OsvEvent,
  type OsvRange,
  type UnknownReason,
} from './osv-range.js';
export {
  parseVers,
  versContains,
  formatVers,
  InvalidVersError,
  type VersComparator,
  type VersConstraint,
  type VersRange,
  type ParseVersOptions,
} from './vers.js';
