import { describe, expect, it } from 'vitest';
import { classOfCwe, cweClasses, cweFamily, cwesCompatible, parseCwe } from '../../src/core/cwe-classes.js';

describe('CWE classes', () => {
  it('names the classes scan claims and deduplication rely on', () => {
    for (const name of ['memory-safety', 'injection', 'crypto', 'auth', 'path-traversal', 'deserialization', 'concurrency', 'resource-management', 'information-exposure', 'input-validation', 'web']) {
      expect(Object.keys(cweClasses)).toContain(name);
    }
  });

  it('puts the memory-safety CWEs of the brief in memory-safety', () => {
    for (const id of [119, 120, 121, 122, 124, 125, 126, 127, 131, 134, 190, 191, 415, 416, 476, 590, 680, 681, 787, 788, 805, 823, 824, 825, 843]) {
      expect(classOfCwe(id), `CWE-${id}`).toBe('memory-safety');
    }
  });

  it('classifies well-known CWEs where a security engineer would', () => {
    expect(classOfCwe(78)).toBe('injection');
    expect(classOfCwe(89)).toBe('injection');
    expect(classOfCwe(79)).toBe('web');
    expect(classOfCwe(352)).toBe('web');
    expect(classOfCwe(918)).toBe('web');
    expect(classOfCwe(601)).toBe('web');
    expect(classOfCwe(22)).toBe('path-traversal');
    expect(classOfCwe(377)).toBe('path-traversal');
    expect(classOfCwe(502)).toBe('deserialization');
    expect(classOfCwe(362)).toBe('concurrency');
    expect(classOfCwe(367)).toBe('concurrency');
    expect(classOfCwe(400)).toBe('resource-management');
    expect(classOfCwe(401)).toBe('resource-management');
    expect(classOfCwe(200)).toBe('information-exposure');
    expect(classOfCwe(327)).toBe('crypto');
    expect(classOfCwe(295)).toBe('crypto');
    expect(classOfCwe(287)).toBe('auth');
    expect(classOfCwe(862)).toBe('auth');
    expect(classOfCwe(798)).toBe('auth');
    expect(classOfCwe(20)).toBe('input-validation');
    expect(classOfCwe(1)).toBeNull();
  });

  it('keeps the classes disjoint', () => {
    const seen = new Map<number, string>();
    for (const [name, ids] of Object.entries(cweClasses)) {
      for (const id of ids) {
        expect(seen.get(id), `CWE-${id} in ${name} and ${seen.get(id)}`).toBeUndefined();
        seen.set(id, name);
      }
    }
  });

  it('parses CWE references', () => {
    expect(parseCwe('CWE-79')).toBe(79);
    expect(parseCwe('cwe-787')).toBe(787);
    expect(parseCwe(' 416 ')).toBe(416);
    expect(parseCwe(89)).toBe(89);
    expect(parseCwe('CWE-')).toBeNull();
    expect(parseCwe('XSS')).toBeNull();
    expect(parseCwe(0)).toBeNull();
    expect(parseCwe(1.5)).toBeNull();
  });

  it('decides compatibility: equal, same class, or either side empty', () => {
    expect(cwesCompatible([787], [787])).toBe(true);
    expect(cwesCompatible([120], [787])).toBe(true);
    expect(cwesCompatible([416], [476])).toBe(true);
    expect(cwesCompatible([], [89])).toBe(true);
    expect(cwesCompatible([79], [])).toBe(true);
    expect(cwesCompatible([79], [89])).toBe(false);
    expect(cwesCompatible([787], [78])).toBe(false);
    expect(cwesCompatible([20, 787], [120])).toBe(true);
    // unclassified CWEs are compatible only with themselves
    expect(cwesCompatible([477], [477])).toBe(true);
    expect(cwesCompatible([477], [120])).toBe(false);
  });

  it('names a family: the highest-priority class, else the lowest unclassified CWE', () => {
    expect(cweFamily([787])).toBe('memory-safety');
    expect(cweFamily([20, 120])).toBe('memory-safety');
    expect(cweFamily([20])).toBe('input-validation');
    expect(cweFamily([9998, 9999])).toBe('cwe-9998');
    expect(cweFamily([])).toBeNull();
  });
});
