// Clearinghouse policy: named settings with documented defaults, checked before they are stored.
// Every change is logged; a key nobody set reads as its default.
import { invalidField, pointerTo } from './errors.js';

export interface PolicyKey<T> {
  description: string;
  defaultValue: T;
  /** Returns the value, or throws an invalidField error naming `at`. */
  parse(value: unknown, at: string): T;
}

function integer(min: number, max: number) {
  return (value: unknown, at: string): number => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) throw invalidField(at, `must be a whole number from ${min} to ${max}`);
    return value;
  };
}

function boolean(value: unknown, at: string): boolean {
  if (typeof value !== 'boolean') throw invalidField(at, 'must be true or false');
  return value;
}

export const policyKeys = {
  'validation.corroborationOrgs': {
    description: 'How many independent organizations must report one vulnerability for it to count as validated by corroboration.',
    defaultValue: 2,
    parse: integer(2, 50),
  } satisfies PolicyKey<number>,
  'validation.autoReproduce': {
    description: 'Queue a sandboxed reproduction when a finding with a proof of concept arrives for a target with a build recipe.',
    defaultValue: true,
    parse: boolean,
  } satisfies PolicyKey<boolean>,
  'sandbox.cpuSeconds': { description: 'CPU time limit of one sandboxed run.', defaultValue: 10, parse: integer(1, 3600) } satisfies PolicyKey<number>,
  'sandbox.wallSeconds': { description: 'Wall-clock limit of one sandboxed run (builds get ten times as long).', defaultValue: 30, parse: integer(1, 3600) } satisfies PolicyKey<number>,
  'sandbox.memoryMb': { description: 'Memory limit of one sandboxed run, in MiB.', defaultValue: 1024, parse: integer(16, 65536) } satisfies PolicyKey<number>,
  'sandbox.maxProcesses': { description: 'Processes one sandboxed run may have at once.', defaultValue: 64, parse: integer(1, 4096) } satisfies PolicyKey<number>,
  'sandbox.maxOutputKb': { description: 'Bytes of stdout and of stderr kept from one run, in KiB.', defaultValue: 64, parse: integer(1, 16384) } satisfies PolicyKey<number>,
  'disclosure.deadlineDays': { description: 'Days from the maintainer being notified to publication (Project Zero: 90; CERT/CC: 45).', defaultValue: 90, parse: integer(1, 365) } satisfies PolicyKey<number>,
  'disclosure.fixGraceDays': { description: 'Days added to the deadline when a fix is released within it, so users can patch (Project Zero: 30; CERT/CC: 0).', defaultValue: 30, parse: integer(0, 180) } satisfies PolicyKey<number>,
  'disclosure.exploitedDays': { description: 'Deadline in days when the flaw is actively exploited (in KEV).', defaultValue: 7, parse: integer(1, 90) } satisfies PolicyKey<number>,
  'disclosure.detailDelayDays': { description: 'Full technical detail (proof of concept) is published no earlier than this many days after a fix is available.', defaultValue: 30, parse: integer(0, 365) } satisfies PolicyKey<number>,
  'disclosure.reminderDays': { description: 'A reminder goes to the maintainer and coordinators this many days before the deadline (0: none).', defaultValue: 14, parse: integer(0, 90) } satisfies PolicyKey<number>,
  'disclosure.escalateDays': { description: 'Coordinators are alerted when a notified maintainer has not started a fix after this many days.', defaultValue: 30, parse: integer(1, 365) } satisfies PolicyKey<number>,
  'disclosure.waveGapHours': { description: 'Hours between the federal operators\' wave and the sltt/ci operators\' wave.', defaultValue: 24, parse: integer(0, 720) } satisfies PolicyKey<number>,
  'maintainer.noticesPerPeriod': { description: 'Case notices one maintainer organization receives at most per period, across all reporters.', defaultValue: 5, parse: integer(1, 10000) } satisfies PolicyKey<number>,
  'maintainer.periodDays': { description: 'The rolling period of the maintainer intake budget, in days.', defaultValue: 7, parse: integer(1, 90) } satisfies PolicyKey<number>,
} as const;

export type PolicyName = keyof typeof policyKeys;
export type PolicyValues = { [K in PolicyName]: (typeof policyKeys)[K]['defaultValue'] };

export function isPolicyName(name: string): name is PolicyName {
  return Object.prototype.hasOwnProperty.call(policyKeys, name);
}

export function defaultPolicy(): PolicyValues {
  return Object.fromEntries(Object.entries(policyKeys).map(([k, v]) => [k, v.defaultValue])) as PolicyValues;
}

/** Checks a partial update ({ name: value }), naming the first bad key. */
export function parsePolicyUpdate(input: unknown): Partial<PolicyValues> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw invalidField('/', 'a policy update is a JSON object of setting → value');
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(input)) {
    if (!isPolicyName(k)) throw invalidField(pointerTo(k), `unknown policy setting ${JSON.stringify(k)}; known: ${Object.keys(policyKeys).join(', ')}`);
    out[k] = policyKeys[k].parse(v, pointerTo(k));
  }
  if (Object.keys(out).length === 0) throw invalidField('/', 'name at least one setting to change');
  return out as Partial<PolicyValues>;
}

/** Stored values over defaults; a stored value that no longer parses (a key's range narrowed) falls back to the default. */
export function effectivePolicy(stored: Record<string, unknown>): PolicyValues {
  const out = defaultPolicy() as Record<string, unknown>;
  for (const [k, v] of Object.entries(stored)) {
    if (!isPolicyName(k)) continue;
    try {
      out[k] = policyKeys[k].parse(v, `/${k}`);
    } catch {
      // keep the default
    }
  }
  return out as PolicyValues;
}
