// `clearinghouse score VECTOR`: the CVSS score and severity of a vector, computed locally (no server).
import type { Command } from 'commander';
import { scoreCvss } from '../../core/scoring/cvss.js';
import type { CliContext } from '../context.js';
import { fields } from '../output.js';

export function registerScore(program: Command, cli: CliContext): void {
  program
    .command('score <vector>')
    .description('the CVSS 3.0, 3.1 or 4.0 score and severity of a vector (base, and the full vector\'s score)')
    .action((vector: string) => {
      const s = scoreCvss(vector.trim(), 'vector');
      const extra: Array<[string, string | number | null]> =
        s.version === '4.0'
          ? [['nomenclature', s.nomenclature], ['macro vector', s.macroVector]]
          : [['temporal', s.temporalScore], ['environmental', s.environmentalScore]];
      cli.out().print(s, () =>
        `${s.score.toFixed(1)} ${s.severity}\n` +
        fields([['version', `CVSS ${s.version}`], ['base', `${s.baseScore.toFixed(1)} ${s.baseSeverity}`], ...extra]),
      );
    });
}
