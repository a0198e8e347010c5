// The pure parts of disclosure: case moves and TLP rules, deadlines from policy, notification waves, the
// maintainer intake budget, and the envelope encryption that keeps embargoed detail sealed.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { assertMessageTlp, canMove, mayReadMessage, parseTlp } from '../../src/core/disclosure/case-state.js';
import { deadlineFor, deadlinePresets } from '../../src/core/disclosure/deadlines.js';
import { planDigest } from '../../src/core/disclosure/intake-budget.js';
import { nextWave, waveOf, waves } from '../../src/core/disclosure/waves.js';
import { masterKeyFrom, newDataKey, openText, sealText, unwrapDataKey } from '../../src/secrets/envelope.js';

const day = 86_400_000;
const t0 = new Date('2026-03-01T12:00:00Z');
const at = (days: number) => new Date(t0.getTime() + days * day);

describe('case states and TLP', () => {
  it('allows the documented moves only; the ends are final', () => {
    expect(canMove('open', 'maintainer-notified')).toBe(true);
    expect(canMove('open', 'published')).toBe(false);
    expect(canMove('fix-available', 'published')).toBe(true);
    expect(canMove('published', 'open')).toBe(false);
    expect(canMove('closed-unfixed', 'equities-hold')).toBe(false);
    expect(canMove('equities-hold', 'fix-in-progress')).toBe(true);
  });

  it('reads TLP 2.0 labels, refuses a looser message than its case, and keeps RED to its author', () => {
    expect(parseTlp('TLP:AMBER+STRICT', '/tlp')).toBe('AMBER+STRICT');
    expect(() => parseTlp('WHITE', '/tlp')).toThrow(/TLP label/);
    expect(() => assertMessageTlp('AMBER', 'GREEN', '/tlp')).toThrow(/cannot be TLP:GREEN/);
    expect(() => assertMessageTlp('AMBER', 'RED', '/tlp')).not.toThrow();
    expect(mayReadMessage('RED', { orgId: 'b', isCoordinator: false }, 'a')).toBe(false);
    expect(mayReadMessage('RED', { orgId: 'a', isCoordinator: false }, 'a')).toBe(true);
    expect(mayReadMessage('RED', { orgId: 'c', isCoordinator: true }, 'a')).toBe(true);
    expect(mayReadMessage('AMBER', { orgId: 'b', isCoordinator: false }, 'a')).toBe(true);
  });
});

describe('deadlines', () => {
  const p0 = deadlinePresets['project-zero'];
  it('start when the maintainer is notified', () => {
    expect(deadlineFor(p0, { maintainerNotifiedAt: null, fixAvailableAt: null, exploited: false }).publishAt).toBeNull();
    const d = deadlineFor(p0, { maintainerNotifiedAt: t0, fixAvailableAt: null, exploited: false });
    expect(d.publishAt).toEqual(at(90));
    expect(d.remindAt).toEqual(at(76));
    expect(d.detailAt).toBeNull();
  });

  it('add 30 days when a fix lands within the 90, and hold the detail 30 days after the fix', () => {
    const d = deadlineFor(p0, { maintainerNotifiedAt: t0, fixAvailableAt: at(80), exploited: false });
    expect(d.publishAt).toEqual(at(120));
    expect(d.detailAt).toEqual(at(120));
    const early = deadlineFor(p0, { maintainerNotifiedAt: t0, fixAvailableAt: at(10), exploited: false });
    expect(early.detailAt).toEqual(at(120));
    const late = deadlineFor(p0, { maintainerNotifiedAt: t0, fixAvailableAt: at(100), exploited: false });
    expect(late.publishAt).toEqual(at(90));
    expect(late.detailAt).toEqual(at(130));
  });

  it('shorten to 7 days when exploited, and follow the CERT/CC preset', () => {
    expect(deadlineFor(p0, { maintainerNotifiedAt: t0, fixAvailableAt: null, exploited: true }).publishAt).toEqual(at(7));
    expect(deadlineFor(deadlinePresets['cert-cc'], { maintainerNotifiedAt: t0, fixAvailableAt: at(20), exploited: false }).publishAt).toEqual(at(45));
  });
});

describe('waves', () => {
  it('place participants and release waves in order', () => {
    expect(waveOf('maintainer', null)).toBe(waves.maintainer);
    expect(waveOf('operator', 'dow')).toBe(waves.federal);
    expect(waveOf('operator', 'ci')).toBe(waves.nonFederal);
    expect(waveOf('reporter', null)).toBe(waves.reporters);
    expect(nextWave(waves.reporters, { fixAvailable: false, federalWaveAt: null, now: t0, gapHours: 24 })).toEqual({ wave: waves.maintainer });
    expect(nextWave(waves.maintainer, { fixAvailable: false, federalWaveAt: null, now: t0, gapHours: 24 }).wave).toBeNull();
    expect(nextWave(waves.maintainer, { fixAvailable: true, federalWaveAt: null, now: t0, gapHours: 24 })).toEqual({ wave: waves.federal });
    expect(nextWave(waves.federal, { fixAvailable: true, federalWaveAt: t0, now: new Date(t0.getTime() + 23 * 3_600_000), gapHours: 24 }).wave).toBeNull();
    expect(nextWave(waves.federal, { fixAvailable: true, federalWaveAt: t0, now: at(1), gapHours: 24 })).toEqual({ wave: waves.nonFederal });
    expect(nextWave(waves.nonFederal, { fixAvailable: true, federalWaveAt: t0, now: at(2), gapHours: 24 }).wave).toBeNull();
  });
});

describe('maintainer intake budget', () => {
  const notice = (caseId: string, priorityKey: string, days = 0) => ({ caseId, priorityKey, queuedAt: at(days) });
  it('sends the most urgent first, up to the cap in the rolling period, across every reporter', () => {
    const pending = [notice('c', '2'), notice('a', '0'), notice('b', '1'), notice('d', '3')];
    const plan = planDigest(pending, [at(-1)], { cap: 3, periodDays: 7 }, t0);
    expect(plan.send.map((n) => n.caseId)).toEqual(['a', 'b']);
    expect(plan.waiting.map((n) => n.caseId)).toEqual(['c', 'd']);
    expect(plan.nextRoomAt).toEqual(at(6));
    const later = planDigest(plan.waiting, [at(-1), t0, t0], { cap: 3, periodDays: 7 }, at(6.5));
    expect(later.send.map((n) => n.caseId)).toEqual(['c']);
  });
});

describe('envelope encryption', () => {
  const master = masterKeyFrom(randomBytes(32));
  it('seals under a per-case data key wrapped by the master key, bound to its place', () => {
    const { key, wrapped } = newDataKey(master, 'case:1');
    const sealed = sealText(key, 'embargoed detail', 'case:1:detail');
    expect(sealed).not.toContain('embargoed');
    expect(openText(unwrapDataKey(master, wrapped, 'case:1'), sealed, 'case:1:detail')).toBe('embargoed detail');
    // moved to another case or field, altered, or under another master key: it does not open
    expect(() => openText(key, sealed, 'case:2:detail')).toThrow(/does not open/);
    expect(() => unwrapDataKey(master, wrapped, 'case:2')).toThrow(/does not open/);
    const altered = sealed.slice(0, -4) + (sealed.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    expect(() => openText(key, altered, 'case:1:detail')).toThrow();
    expect(() => unwrapDataKey(masterKeyFrom(randomBytes(32)), wrapped, 'case:1')).toThrow(/wrapped by master key/);
  });
});
