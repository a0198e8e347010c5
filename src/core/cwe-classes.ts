// Named weakness classes: groups of CWE ids that mean "the same kind of bug". Deduplication uses them as
// CWE families (two tools rarely pick the same CWE for one bug: CWE-120 vs CWE-787), scan claims as scopes.
// Classes are disjoint, so every CWE has at most one class; membership follows the CWE-1000 research view
// (children listed with their parents) with a few deliberate placements noted inline.

const cls = (...ids: number[]): ReadonlySet<number> => new Set(ids);

/** In priority order: when a finding's CWEs fall in several classes, the first listed here names its family. */
export const cweClasses = {
  'memory-safety': cls(
    // buffer errors (119 and children), pointer and length errors
    118, 119, 120, 121, 122, 123, 124, 125, 126, 127, 129, 130, 131, 170, 188, 193, 466, 468, 469, 786, 787, 788, 805, 806, 822,
    823, 824, 825,
    // format strings write memory (%n); the brief and most tools file them here rather than under injection
    134,
    // integer errors that become memory errors
    128, 190, 191, 192, 194, 195, 196, 197, 680, 681,
    // lifetime: double free, use after free, bad free, uninitialized and stale pointers
    415, 416, 457, 562, 587, 590, 761, 762, 763, 908, 909,
    // dangerous functions whose only risk is memory (gets)
    242, 676,
    // null dereference and type confusion
    476, 690, 843,
  ),
  injection: cls(
    74, 75, 76, 77, 78, 88, 89, 90, 91, 93, 94, 95, 96, 97, 98, 99, 116, 117, 138, 140, 141, 142, 143, 144, 145, 146, 147, 148,
    149, 150, 151, 152, 153, 154, 155, 156, 157, 158, 159, 470, 564, 611, 643, 652, 827, 917, 943, 1236, 1336,
    // object-attribute injection: mass assignment and prototype pollution
    915, 1321,
  ),
  crypto: cls(
    // missing or weak encryption, weak randomness, bad certificate and signature checks
    295, 296, 297, 298, 299, 310, 311, 312, 313, 314, 315, 316, 317, 318, 319, 320, 321, 322, 323, 324, 325, 326, 327, 328, 329,
    330, 331, 332, 333, 334, 335, 336, 337, 338, 339, 340, 341, 342, 343, 344, 347, 599, 757, 759, 760, 780, 916, 1204, 1240,
    1241,
  ),
  auth: cls(
    // authentication, credentials, sessions, authorization, permissions and privileges
    250, 255, 256, 257, 258, 259, 260, 261, 262, 263, 266, 267, 268, 269, 270, 271, 272, 273, 274, 276, 277, 278, 279, 280, 281,
    282, 283, 284, 285, 286, 287, 288, 289, 290, 291, 293, 294, 302, 303, 304, 305, 306, 307, 308, 309, 384, 425, 520, 521, 522,
    523, 549, 565, 613, 620, 639, 640, 642, 645, 647, 648, 732, 749, 798, 862, 863, 1220, 1390, 1391, 1392, 1393,
  ),
  'path-traversal': cls(
    // path traversal and file handling: traversal variants, links, file names, temporary files, search paths, uploads
    21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51,
    52, 53, 54, 55, 56, 57, 58, 59, 61, 62, 64, 65, 66, 67, 69, 72, 73, 377, 378, 379, 426, 427, 428, 434, 552, 706,
  ),
  deserialization: cls(502),
  concurrency: cls(
    // races (367 is the check-then-use "tmpfile race"), locking, signal handlers, shared state
    362, 363, 364, 365, 366, 367, 368, 412, 413, 414, 479, 543, 567, 572, 609, 662, 663, 667, 764, 765, 820, 821, 828, 831, 832,
    833, 1058, 1223, 1298,
  ),
  'resource-management': cls(
    // exhaustion, leaks, unbounded recursion and loops, ReDoS, entity expansion
    400, 401, 402, 403, 404, 405, 406, 407, 409, 410, 459, 460, 674, 694, 769, 770, 771, 772, 773, 774, 775, 776, 789, 834, 835,
    920, 1050, 1333,
  ),
  'information-exposure': cls(
    200, 201, 202, 203, 204, 205, 206, 207, 208, 209, 210, 211, 212, 213, 214, 215, 226, 244, 359, 497, 526, 532, 538, 539, 540,
    548, 550, 598, 615, 651, 1258, 1295,
  ),
  web: cls(
    // cross-site scripting, request forgery, redirects, response splitting, smuggling, cookies, CORS, clickjacking
    79, 80, 81, 82, 83, 84, 85, 86, 87, 113, 346, 352, 444, 601, 614, 918, 942, 1004, 1021, 1275,
  ),
  // last: CWE-20 is the parent of most others, so it names a family only when nothing more specific does
  'input-validation': cls(
    20, 172, 173, 174, 175, 176, 177, 178, 179, 180, 181, 182, 183, 184, 185, 186, 187, 228, 229, 230, 231, 232, 233, 234, 235,
    236, 237, 238, 239, 240, 241, 606, 624, 625, 626, 627, 641, 1173, 1284, 1285, 1286, 1287, 1288, 1289,
  ),
} as const satisfies Record<string, ReadonlySet<number>>;

export type CweClassName = keyof typeof cweClasses;

const classByCwe = new Map<number, CweClassName>();
for (const [name, ids] of Object.entries(cweClasses) as Array<[CweClassName, ReadonlySet<number>]>) {
  for (const id of ids) {
    // disjointness is what makes classOfCwe a function; a duplicate here is a bug in the table above
    if (classByCwe.has(id)) throw new Error(`CWE-${id} is in both ${classByCwe.get(id)} and ${name}`);
    classByCwe.set(id, name);
  }
}
const classRank = new Map<string, number>(Object.keys(cweClasses).map((name, i) => [name, i]));

export function classOfCwe(id: number): CweClassName | null {
  return classByCwe.get(id) ?? null;
}

/** `CWE-79`, `cwe-79`, `"79"` or `79` → 79; anything else → null. */
export function parseCwe(input: string | number): number | null {
  if (typeof input === 'number') return Number.isSafeInteger(input) && input > 0 ? input : null;
  const m = /^\s*(?:CWE[-_ ]?)?(\d{1,6})\s*$/i.exec(input);
  return m ? Number(m[1]) : null;
}

/**
 * The family that deduplication compares: the class of the finding's CWEs (highest-priority class when they
 * span several), else `cwe-N` of its lowest unclassified CWE, else null when it names no CWE.
 */
export function cweFamily(cwes: readonly number[]): string | null {
  let best: CweClassName | null = null;
  for (const id of cwes) {
    const c = classByCwe.get(id);
    if (c && (best === null || classRank.get(c)! < classRank.get(best)!)) best = c;
  }
  if (best) return best;
  if (cwes.length === 0) return null;
  return `cwe-${Math.min(...cwes)}`;
}

/** Compatible: either side names no CWE, they share a CWE, or some CWE of each is in the same class. */
export function cwesCompatible(a: readonly number[], b: readonly number[]): boolean {
  if (a.length === 0 || b.length === 0) return true;
  for (const x of a) {
    const cx = classByCwe.get(x);
    for (const y of b) {
      if (x === y) return true;
      if (cx !== undefined && cx === classByCwe.get(y)) return true;
    }
  }
  return false;
}
