// Region snippets for a SARIF log, inserted by whoever has the scanned source (the scanner agent), as the
// SARIF multitool's `rewrite --insert RegionSnippets` does. Many tools (cppcheck, clang) write no snippet;
// with one, deduplication can match the same bug after its lines moved between versions.

/** Source lines of an artifact, by the URI the log gives (null when it cannot be read). */
export type SourceLines = (uri: string) => string[] | null;

interface Region {
  startLine?: number;
  endLine?: number;
  snippet?: { text?: string };
}

/** Longest snippet inserted: a region spanning a whole file is no fingerprint. */
const maxSnippetLines = 20;

/** Adds `region.snippet` where a result location has lines but no snippet; returns how many it added. */
export function insertRegionSnippets(log: unknown, lines: SourceLines): number {
  let added = 0;
  const runs = (log as { runs?: unknown }).runs;
  if (!Array.isArray(runs)) return 0;
  for (const run of runs) {
    const results = (run as { results?: unknown }).results;
    if (!Array.isArray(results)) continue;
    for (const result of results) {
      const locations = (result as { locations?: unknown }).locations;
      if (!Array.isArray(locations)) continue;
      for (const loc of locations) {
        const pl = (loc as { physicalLocation?: { artifactLocation?: { uri?: unknown }; region?: Region } }).physicalLocation;
        const region = pl?.region;
        const uri = pl?.artifactLocation?.uri;
        if (!region || typeof uri !== 'string' || region.snippet?.text || !Number.isInteger(region.startLine) || region.startLine! < 1) continue;
        const end = Number.isInteger(region.endLine) && region.endLine! >= region.startLine! ? region.endLine! : region.startLine!;
        if (end - region.startLine! >= maxSnippetLines) continue;
        const source = lines(uri);
        if (!source || region.startLine! > source.length) continue;
        const text = source.slice(region.startLine! - 1, end).join('\n');
        if (!text.trim()) continue;
        region.snippet = { ...(region.snippet ?? {}), text };
        added++;
      }
    }
  }
  return added;
}
