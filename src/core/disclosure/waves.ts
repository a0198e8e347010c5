// Notification waves are policy, not favours: the maintainer first, then affected federal operators (`nss`,
// `dow`, `fceb`), then affected `sltt` and `ci` operators, then the public. Reporters know from the start.
import type { AssetClass } from '../orgs.js';

export const waves = { reporters: 0, maintainer: 1, federal: 2, nonFederal: 3, public: 4 } as const;
export type Wave = (typeof waves)[keyof typeof waves];
export const waveNames: Record<Wave, string> = { 0: 'reporters', 1: 'maintainer', 2: 'federal operators', 3: 'sltt and ci operators', 4: 'public' };

export type ParticipantRole = 'maintainer' | 'operator' | 'reporter';

export function waveOf(role: ParticipantRole, assetClass: AssetClass | null): Wave {
  if (role === 'reporter') return waves.reporters;
  if (role === 'maintainer') return waves.maintainer;
  return assetClass === 'nss' || assetClass === 'dow' || assetClass === 'fceb' ? waves.federal : waves.nonFederal;
}

/**
 * The wave that may go out next, or why none may: the maintainer when the case is opened and notified;
 * federal operators once a fix is available (or at publication); sltt/ci operators `gapHours` after the
 * federal wave; the public only by publication.
 */
export function nextWave(current: Wave, facts: { fixAvailable: boolean; federalWaveAt: Date | null; now: Date; gapHours: number }): { wave: Wave } | { wave: null; reason: string } {
  if (current < waves.maintainer) return { wave: waves.maintainer };
  if (current === waves.maintainer) return facts.fixAvailable ? { wave: waves.federal } : { wave: null, reason: 'operators are notified once a fix is available (or at publication)' };
  if (current === waves.federal) {
    const due = (facts.federalWaveAt?.getTime() ?? 0) + facts.gapHours * 3_600_000;
    return facts.now.getTime() >= due ? { wave: waves.nonFederal } : { wave: null, reason: `sltt and ci operators follow the federal wave after ${facts.gapHours} h, at ${new Date(due).toISOString()}` };
  }
  return { wave: null, reason: current === waves.nonFederal ? 'the public wave is publication' : 'every wave has gone out' };
}
