// Region snippets a scanner agent inserts from its checkout before uploading a SARIF log.
import { describe, expect, it } from 'vitest';
import { insertRegionSnippets } from '../../src/formats/sarif-snippets.js';

const source: Record<string, string[]> = {
  'src/a.c': ['int main(void) {', '  char buf[8];', '  strcpy(buf, argv[1]);', '  return 0;', '}'],
};
const lines = (uri: string) => source[uri] ?? null;

function log(regions: Array<{ uri: string; region: Record<string, unknown> }>) {
  return {
    version: '2.1.0',
    runs: [{ tool: { driver: { name: 't' } }, results: regions.map((r) => ({ message: { text: 'm' }, locations: [{ physicalLocation: { artifactLocation: { uri: r.uri }, region: r.region } }] })) }],
  };
}

describe('insertRegionSnippets', () => {
  it('inserts the text of the region where the tool gave none, and keeps what the tool gave', () => {
    const l = log([
      { uri: 'src/a.c', region: { startLine: 3 } },
      { uri: 'src/a.c', region: { startLine: 2, endLine: 3 } },
      { uri: 'src/a.c', region: { startLine: 4, snippet: { text: 'the tool said so' } } },
    ]);
    expect(insertRegionSnippets(l, lines)).toBe(2);
    const regions = l.runs[0]!.results.map((r) => r.locations[0]!.physicalLocation.region as { snippet?: { text: string } });
    expect(regions.map((r) => r.snippet?.text)).toEqual(['  strcpy(buf, argv[1]);', '  char buf[8];\n  strcpy(buf, argv[1]);', 'the tool said so']);
  });

  it('leaves regions it cannot fill alone: unknown files, lines past the end, blank text, huge regions, no lines', () => {
    const l = log([
      { uri: 'src/missing.c', region: { startLine: 1 } },
      { uri: 'src/a.c', region: { startLine: 99 } },
      { uri: 'src/a.c', region: { startLine: 1, endLine: 500 } },
      { uri: 'src/a.c', region: { startColumn: 4 } },
      { uri: 'src/a.c', region: { startLine: 0 } },
    ]);
    expect(insertRegionSnippets(l, lines)).toBe(0);
    expect(JSON.stringify(l)).not.toContain('snippet');
  });

  it('ignores documents that are not SARIF-shaped', () => {
    expect(insertRegionSnippets({}, lines)).toBe(0);
    expect(insertRegionSnippets({ runs: [{ results: [{ locations: 'x' }] }] }, lines)).toBe(0);
  });
});
