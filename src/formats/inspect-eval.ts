// Evaluation logs of the UK AI Security Institute's Inspect framework (inspect_ai) → one benchmark result.
//
// Two containers hold the same `EvalLog` (inspect_ai/log/_log.py):
// - an `EvalLog` JSON document: `version`, `status` (started | success | cancelled | error), `eval` (EvalSpec:
//   task, task_version, task_id, run_id, created, model, dataset, config…), `plan`, `results` (EvalResults:
//   total_samples, completed_samples, scores: [EvalScore {name, scorer, metrics: {name: {name, value}}}]),
//   `stats`, `error` (EvalError {message, traceback}), `samples`;
// - a `.eval` ZIP archive (inspect_ai/log/_recorders/eval.py): `header.json` (the EvalLog without samples, written
//   when the run finishes), `_journal/start.json` ({version, eval, plan}, written when it starts),
//   `_journal/summaries/<n>.json` (sample summaries, appended as samples finish), `summaries.json` (all of them, at
//   the end), `reductions.json` (per-sample scores reduced over epochs) and `samples/<id>_epoch_<n>.json`.
//
// A finished run is read from its results. A run that never finished (a `.eval` without `header.json`, or a log
// whose status is still `started`) is read from the samples scored so far and marked partial: its metrics are
// recomputed here the way Inspect's accuracy/mean metrics compute them, and are not the run's own result. A run
// that ended in error or was cancelled is refused: an incomplete run is not a result.
//
// Entries are inflated one at a time with a hard limit on the bytes produced (not the sizes the archive claims),
// so a zip bomb is refused before it costs more than the limit.
import * as zlib from 'node:zlib';
import { Inflate } from 'fflate';
import { AppError, invalidField, pointerTo } from '../core/errors.js';

type Obj = Record<string, unknown>;

const MiB = 1024 * 1024;

/** Default limits: archives over 256 MiB and entries inflating past 64 MiB are refused. */
export const inspectLogLimits = { maxArchiveBytes: 256 * MiB, maxEntryBytes: 64 * MiB } as const;

export interface InspectLogLimits {
  /** Largest log accepted, compressed archive or JSON document (default 256 MiB). */
  maxArchiveBytes?: number;
  /** Largest single archive entry, decompressed (default 64 MiB). */
  maxEntryBytes?: number;
}

export interface EvalScorerResult {
  /** EvalScore.name: the score's name (usually the scorer's). */
  name: string;
  /** EvalScore.scorer: the scorer that produced it. */
  scorer: string;
  /** Metric name → value, every value a finite number. */
  metrics: Record<string, number>;
}

export interface EvalImport {
  format: 'eval-json' | 'eval-zip';
  /** EvalLog.version, the log file format version (2 for current Inspect); null when the log does not say. */
  logVersion: number | null;
  /** `success`, or `started` for a run that had not finished when the log was written (then `partial` is true). */
  status: 'success' | 'started';
  /** True when the metrics were recomputed from the samples scored so far rather than read from the run's results. */
  partial: boolean;
  task: { name: string; version: string | null; id: string | null };
  /** The benchmark the task is (see benchmarkOf). */
  benchmark: { benchmark: string; version: string | null };
  runId: string | null;
  /** When the run was created: an ISO 8601 instant in UTC. */
  created: string;
  model: string;
  dataset: { name: string | null; samples: number | null };
  scorers: EvalScorerResult[];
  /** The first scorer's `accuracy`, else its `mean`, else its first metric; null when no scorer has a metric. */
  headline: { scorer: string; metric: string; value: number } | null;
  /** Samples in the run (dataset samples × epochs; null when a partial log does not say) and completed without error. */
  samples: { total: number | null; completed: number };
  /** EvalLog.error's message, when the log records one. */
  error: string | null;
  /** What a reader should know about how this result was read (partial run, assumed time zone, invalidated samples…). */
  notes: string[];
}

type Status = 'started' | 'success' | 'cancelled' | 'error';
const statuses: ReadonlySet<string> = new Set(['started', 'success', 'cancelled', 'error']);

interface Ctx {
  /** `<file name>: ` or empty, to start messages with. */
  label: string;
  notes: string[];
}

/**
 * Where a value is: a JSON pointer into a JSON log, or `<entry>#<pointer>` into an entry of a `.eval` archive
 * (`header.json#/eval/task`). The entry alone when the pointer is the whole document.
 */
class Where {
  constructor(readonly entry: string | null, readonly names: readonly string[] = []) {}
  at(...names: string[]): Where {
    return new Where(this.entry, [...this.names, ...names]);
  }
  get field(): string {
    const pointer = pointerTo(...this.names);
    if (this.entry === null) return pointer === '' ? '/' : pointer;
    return pointer === '' ? this.entry : `${this.entry}#${pointer}`;
  }
  /** `eval.task` or `header.json: eval.task`, for messages. */
  get path(): string {
    const dotted = this.names.join('.');
    if (this.entry === null) return dotted === '' ? 'the log' : dotted;
    return dotted === '' ? this.entry : `${this.entry}: ${dotted}`;
  }
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (v === null) return 'null (Inspect writes NaN and infinities as null)';
  if (v === undefined) return 'missing';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `${typeof v} ${String(v)}`;
}

function fail(ctx: Ctx, where: Where, message: string): AppError {
  return invalidField(where.field, `${ctx.label}${message}`);
}

function tooLarge(ctx: Ctx, field: string, message: string): AppError {
  return new AppError('payload-too-large', `${ctx.label}${message}`, { field });
}

function mib(n: number): string {
  return n % MiB === 0 ? `${n / MiB} MiB` : `${n} bytes`;
}

function requiredString(ctx: Ctx, o: Obj, key: string, where: Where, what: string): string {
  const v = o[key];
  if (typeof v !== 'string' || v.trim() === '') {
    throw fail(ctx, where.at(key), `${where.at(key).path} is ${v === undefined ? 'missing' : describe(v)}: the log must name ${what}`);
  }
  return v;
}

function optionalString(ctx: Ctx, o: Obj, key: string, where: Where): string | null {
  const v = o[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') throw fail(ctx, where.at(key), `${where.at(key).path} must be a string, not ${describe(v)}`);
  return v === '' ? null : v;
}

function optionalCount(ctx: Ctx, o: Obj, key: string, where: Where): number | null {
  const v = o[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
    throw fail(ctx, where.at(key), `${where.at(key).path} must be a whole number of 0 or more, not ${describe(v)}`);
  }
  return v;
}

const isoTime = /^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)([Zz]|[+-]\d{2}:?\d{2})?$/;

/** EvalSpec.created → UTC ISO instant. A time without a zone is read as UTC, as Inspect itself reads one. */
function instant(ctx: Ctx, o: Obj, key: string, where: Where): string {
  const v = o[key];
  const m = typeof v === 'string' ? isoTime.exec(v.trim()) : null;
  if (typeof v !== 'string' || m === null) {
    throw fail(ctx, where.at(key), `${where.at(key).path} is ${describe(v)}: it must be an ISO 8601 date and time such as 2026-05-01T14:03:12+00:00`);
  }
  let zone = m[3];
  if (zone === undefined) {
    zone = 'Z';
    ctx.notes.push(`${where.at(key).path} (${v}) has no time zone; read as UTC, as Inspect reads it`);
  } else if (/^[+-]\d{4}$/.test(zone)) {
    zone = `${zone.slice(0, 3)}:${zone.slice(3)}`;
  }
  const ms = Date.parse(`${m[1]}T${m[2]}${zone.toUpperCase()}`);
  const [y, mo, d] = (m[1] as string).split('-').map(Number) as [number, number, number];
  if (Number.isNaN(ms) || new Date(Date.UTC(y, mo - 1, d)).getUTCDate() !== d) throw fail(ctx, where.at(key), `${where.at(key).path} (${v}) is not a valid date and time`);
  return new Date(ms).toISOString();
}

interface Spec {
  task: { name: string; version: string | null; id: string | null };
  runId: string | null;
  created: string;
  model: string;
  dataset: { name: string | null; samples: number | null };
  epochs: number | null;
  /** Scorer → the metrics the run declared for it (EvalSpec.scorers, newer logs), without registry prefix. */
  declared: Map<string, Set<string>>;
}

/** Metric names in EvalSpec.scorers[].metrics: a list of {name} and of {group: [{name}]}, or such a group object. */
function declaredMetrics(spec: Obj): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  if (!Array.isArray(spec.scorers)) return out;
  const collect = (v: unknown, into: Set<string>): void => {
    if (Array.isArray(v)) v.forEach((x) => collect(x, into));
    else if (isObj(v) && typeof v.name === 'string') into.add(v.name.slice(v.name.lastIndexOf('/') + 1));
    else if (isObj(v)) Object.values(v).forEach((x) => collect(x, into));
  };
  for (const s of spec.scorers) {
    if (!isObj(s) || typeof s.name !== 'string') continue;
    const names = new Set<string>();
    collect(s.metrics, names);
    out.set(s.name.slice(s.name.lastIndexOf('/') + 1), names);
  }
  return out;
}

function readSpec(ctx: Ctx, doc: Obj, root: Where): Spec {
  const where = root.at('eval');
  const spec = doc.eval;
  if (!isObj(spec)) {
    throw fail(ctx, where, `${where.path} is ${describe(spec)}: not an Inspect EvalLog (it must have an "eval" object, the EvalSpec)`);
  }
  const name = requiredString(ctx, spec, 'task', where, 'the task that was run');
  const model = requiredString(ctx, spec, 'model', where, 'the model that was evaluated');
  const created = instant(ctx, spec, 'created', where);
  const tv = spec.task_version;
  let version: string | null = null;
  if (typeof tv === 'string') version = tv === '' ? null : tv;
  else if (typeof tv === 'number' && Number.isSafeInteger(tv)) version = String(tv);
  else if (tv !== undefined && tv !== null) throw fail(ctx, where.at('task_version'), `${where.at('task_version').path} must be a whole number or a string, not ${describe(tv)}`);
  const id = optionalString(ctx, spec, 'task_id', where);
  const runId = optionalString(ctx, spec, 'run_id', where);
  let dataset: Spec['dataset'] = { name: null, samples: null };
  const ds = spec.dataset;
  if (ds !== undefined && ds !== null) {
    if (!isObj(ds)) throw fail(ctx, where.at('dataset'), `${where.at('dataset').path} must be an object, not ${describe(ds)}`);
    dataset = { name: optionalString(ctx, ds, 'name', where.at('dataset')), samples: optionalCount(ctx, ds, 'samples', where.at('dataset')) };
  }
  let epochs: number | null = null;
  if (isObj(spec.config)) epochs = optionalCount(ctx, spec.config, 'epochs', where.at('config'));
  return { task: { name, version, id }, runId, created, model, dataset, epochs, declared: declaredMetrics(spec) };
}

function readStatus(ctx: Ctx, doc: Obj, root: Where): Status {
  const where = root.at('status');
  const v = doc.status;
  if (typeof v !== 'string' || !statuses.has(v)) {
    throw fail(ctx, where, `${where.path} is ${describe(v)}: it must be one of started, success, cancelled, error`);
  }
  return v as Status;
}

function errorMessage(doc: Obj): string | null {
  const e = doc.error;
  if (isObj(e) && typeof e.message === 'string' && e.message.trim() !== '') return e.message.trim();
  if (typeof e === 'string' && e.trim() !== '') return e.trim();
  return null;
}

/** An error or cancelled run is refused, with the reason the log gives. */
function refuseUnfinished(ctx: Ctx, status: Status, doc: Obj, root: Where): void {
  if (status !== 'error' && status !== 'cancelled') return;
  const message = errorMessage(doc);
  const how = status === 'error' ? `ended in error${message === null ? '' : `: ${message}`}` : `was cancelled${message === null ? '' : ` (${message})`}`;
  throw fail(
    ctx,
    root.at('status'),
    `the run ${how}. An incomplete run is not a result, so this log is not imported: finish the run (for example with inspect eval-retry) and import the log it writes`,
  );
}

interface Results {
  total: number;
  completed: number;
  scorers: EvalScorerResult[];
}

function readMetrics(ctx: Ctx, metrics: unknown, where: Where, scorer: string): Record<string, number> {
  if (metrics === undefined || metrics === null) return {};
  if (!isObj(metrics)) throw fail(ctx, where, `${where.path} must be an object of metrics, not ${describe(metrics)}`);
  const out: Record<string, number> = {};
  for (const [key, m] of Object.entries(metrics)) {
    const at = where.at(key);
    if (!isObj(m)) throw fail(ctx, at, `metric ${key} of scorer ${scorer} must be an object with a value, not ${describe(m)}`);
    const value = m.value;
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw fail(ctx, at.at('value'), `metric ${key} of scorer ${scorer} is ${describe(value)}, not a finite number`);
    }
    out[key] = value;
  }
  return out;
}

/** EvalResults, with the pre-2024 shape (`scorer` + `metrics` instead of `scores`) read the way Inspect migrates it. */
function readResults(ctx: Ctx, doc: Obj, root: Where): Results | null {
  const where = root.at('results');
  const r = doc.results;
  if (r === undefined || r === null) return null;
  if (!isObj(r)) throw fail(ctx, where, `${where.path} must be an object, not ${describe(r)}`);
  const total = optionalCount(ctx, r, 'total_samples', where) ?? 0;
  const completed = optionalCount(ctx, r, 'completed_samples', where) ?? 0;
  const scorers: EvalScorerResult[] = [];
  if (r.scores === undefined && isObj(r.scorer)) {
    const legacy = r.scorer;
    const name = requiredString(ctx, legacy, 'name', where.at('scorer'), 'the scorer');
    const metricsAt = r.metrics !== undefined ? where.at('metrics') : where.at('scorer', 'metrics');
    scorers.push({ name, scorer: name, metrics: readMetrics(ctx, r.metrics ?? legacy.metrics, metricsAt, name) });
  } else {
    const list = r.scores;
    if (list === undefined || list === null) return { total, completed, scorers };
    if (!Array.isArray(list)) throw fail(ctx, where.at('scores'), `${where.at('scores').path} must be an array of scores, not ${describe(list)}`);
    list.forEach((s, i) => {
      const at = where.at('scores', String(i));
      if (!isObj(s)) throw fail(ctx, at, `${at.path} must be an object (an EvalScore), not ${describe(s)}`);
      const name = requiredString(ctx, s, 'name', at, 'the score');
      const scorer = s.scorer === undefined ? name : requiredString(ctx, s, 'scorer', at, 'the scorer');
      scorers.push({ name, scorer, metrics: readMetrics(ctx, s.metrics, at.at('metrics'), name) });
    });
  }
  return { total, completed, scorers };
}

function headlineOf(scorers: readonly EvalScorerResult[]): EvalImport['headline'] {
  for (const s of scorers) {
    const names = Object.keys(s.metrics);
    if (names.length === 0) continue;
    const metric = 'accuracy' in s.metrics ? 'accuracy' : 'mean' in s.metrics ? 'mean' : (names[0] as string);
    return { scorer: s.name, metric, value: s.metrics[metric] as number };
  }
  return null;
}

// ---------------------------------------------------------------------------------------------------------------
// Partial runs: metrics recomputed from scored samples.

interface Scored {
  key: string;
  sample: string;
  scores: Obj;
}

/** Samples or sample summaries: those that finished without error and carry scores. */
function scoredItems(ctx: Ctx, list: unknown, where: Where): Scored[] {
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw fail(ctx, where, `${where.path} must be an array of samples, not ${describe(list)}`);
  const out: Scored[] = [];
  list.forEach((item, i) => {
    const at = where.at(String(i));
    if (!isObj(item)) throw fail(ctx, at, `${at.path} must be an object (a sample), not ${describe(item)}`);
    const id = item.id;
    if (typeof id !== 'string' && typeof id !== 'number') throw fail(ctx, at.at('id'), `${at.at('id').path} must be a string or a number, not ${describe(id)}`);
    const epoch = item.epoch ?? 1;
    if (typeof epoch !== 'number' || !Number.isSafeInteger(epoch)) throw fail(ctx, at.at('epoch'), `${at.at('epoch').path} must be a whole number, not ${describe(epoch)}`);
    if (item.error !== undefined && item.error !== null) return;
    if (item.completed === false) return;
    if (!isObj(item.scores)) return;
    out.push({ key: `${String(id)}\u0000${epoch}`, sample: String(id), scores: item.scores });
  });
  return out;
}

/** Inspect's value_to_float for the default C/I/P/N letters; null for a value it cannot score (NaN is written as null). */
function scoreValue(v: unknown): { value: number; graded: boolean } | null {
  if (typeof v === 'number') return Number.isFinite(v) ? { value: v, graded: false } : null;
  if (typeof v === 'boolean') return { value: v ? 1 : 0, graded: true };
  if (typeof v !== 'string') return null;
  if (v === 'C') return { value: 1, graded: true };
  if (v === 'P') return { value: 0.5, graded: true };
  if (v === 'I' || v === 'N') return { value: 0, graded: true };
  const s = v.toLowerCase();
  if (s === 'yes' || s === 'true') return { value: 1, graded: true };
  if (s === 'no' || s === 'false') return { value: 0, graded: true };
  if (/^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/.test(v)) return { value: Number(v), graded: false };
  return null;
}

function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/**
 * The name of a recomputed metric: `accuracy` or `mean` as the run declared for the scorer (both are the mean of
 * the scores); undeclared, `accuracy` when the scores were graded C/I/P/N, else `mean`.
 */
function metricName(spec: Spec, scorer: string, graded: boolean): string {
  const declared = spec.declared.get(scorer);
  if (declared?.has('accuracy')) return 'accuracy';
  if (declared?.has('mean')) return 'mean';
  return graded ? 'accuracy' : 'mean';
}

/** One metric per scorer: the mean of the scores, named by metricName. */
function recomputeFromSamples(spec: Spec, items: readonly Scored[]): EvalScorerResult[] {
  const byScorer = new Map<string, { samples: Map<string, number[]>; graded: boolean }>();
  for (const item of items) {
    for (const [name, score] of Object.entries(item.scores)) {
      const v = isObj(score) ? scoreValue(score.value) : null;
      if (v === null) continue;
      let entry = byScorer.get(name);
      if (entry === undefined) byScorer.set(name, (entry = { samples: new Map(), graded: false }));
      entry.graded ||= v.graded;
      const epochs = entry.samples.get(item.sample) ?? [];
      epochs.push(v.value);
      entry.samples.set(item.sample, epochs);
    }
  }
  // Epochs reduce by their mean (Inspect's default reducer), then samples by theirs.
  return [...byScorer].map(([name, e]) => ({
    name,
    scorer: name,
    metrics: { [metricName(spec, name, e.graded)]: mean([...e.samples.values()].map(mean)) },
  }));
}

/** `reductions.json`: per-sample scores already reduced over epochs, per scorer. */
function recomputeFromReductions(ctx: Ctx, spec: Spec, list: unknown, where: Where): EvalScorerResult[] {
  if (!Array.isArray(list)) throw fail(ctx, where, `${where.path} must be an array of reductions, not ${describe(list)}`);
  const out: EvalScorerResult[] = [];
  list.forEach((r, i) => {
    const at = where.at(String(i));
    if (!isObj(r)) throw fail(ctx, at, `${at.path} must be an object, not ${describe(r)}`);
    const scorer = requiredString(ctx, r, 'scorer', at, 'the scorer');
    if (out.some((s) => s.name === scorer)) return;
    if (!Array.isArray(r.samples)) throw fail(ctx, at.at('samples'), `${at.at('samples').path} must be an array, not ${describe(r.samples)}`);
    let graded = false;
    const values: number[] = [];
    for (const s of r.samples) {
      const v = isObj(s) ? scoreValue(s.value) : null;
      if (v === null) continue;
      graded ||= v.graded;
      values.push(v.value);
    }
    if (values.length > 0) out.push({ name: scorer, scorer, metrics: { [metricName(spec, scorer, graded)]: mean(values) } });
  });
  return out;
}

function partialNote(reason: string, completed: number, total: number | null, from: string): string {
  const of = total === null ? '' : ` of ${total}`;
  return `partial: ${reason}; metrics were recomputed from ${from} (${completed}${of} samples scored) and are not the run's own result`;
}

// ---------------------------------------------------------------------------------------------------------------
// Assembling a result.

function assemble(
  format: EvalImport['format'],
  doc: Obj,
  root: Where,
  spec: Spec,
  status: 'success' | 'started',
  partial: boolean,
  scorers: EvalScorerResult[],
  samples: EvalImport['samples'],
  ctx: Ctx,
): EvalImport {
  const version = doc.version;
  if (version !== undefined && version !== null && (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 1)) {
    throw fail(ctx, root.at('version'), `${root.at('version').path} must be a whole number (the log format version), not ${describe(version)}`);
  }
  if (doc.invalidated === true) ctx.notes.push('the log marks some samples as invalidated');
  if (status === 'success' && samples.total !== null && samples.completed < samples.total) {
    ctx.notes.push(`${samples.completed} of ${samples.total} samples completed without error`);
  }
  return {
    format,
    logVersion: typeof version === 'number' ? version : null,
    status,
    partial,
    task: spec.task,
    benchmark: benchmarkOf(spec.task.name) ?? { benchmark: spec.task.name, version: null },
    runId: spec.runId,
    created: spec.created,
    model: spec.model,
    dataset: spec.dataset,
    scorers,
    headline: headlineOf(scorers),
    samples,
    error: errorMessage(doc),
    notes: ctx.notes,
  };
}

function expectedTotal(spec: Spec): number | null {
  return spec.dataset.samples === null ? null : spec.dataset.samples * (spec.epochs ?? 1);
}

function noScores(ctx: Ctx, where: Where): AppError {
  return fail(ctx, where, `${where.path} has no scores: the log records no result to import (results.scores is missing or empty)`);
}

/**
 * A finished log (or one still `started`, from its samples) with everything but the container read.
 * `samplesSource` gives the scored samples of a run that has not finished, and the reductions when written.
 */
function fromEvalLog(
  format: EvalImport['format'],
  doc: Obj,
  root: Where,
  ctx: Ctx,
  samplesSource: (spec: Spec) => { items: Scored[]; reductions: EvalScorerResult[] | null; from: string },
): EvalImport {
  const status = readStatus(ctx, doc, root);
  refuseUnfinished(ctx, status, doc, root);
  const spec = readSpec(ctx, doc, root);
  const results = readResults(ctx, doc, root);
  if (status === 'success') {
    if (results === null) throw fail(ctx, root.at('results'), `${root.at('results').path} is missing: a log with status success must carry its results`);
    if (results.scorers.length === 0) throw noScores(ctx, root.at('results', 'scores'));
    return assemble(format, doc, root, spec, 'success', false, results.scorers, { total: results.total, completed: results.completed }, ctx);
  }
  // status `started`: the run had not finished when the log was written.
  if (results !== null && results.scorers.length > 0) {
    ctx.notes.push('partial: the log says the run had not finished (status started); its results may change when it does');
    return assemble(format, doc, root, spec, 'started', true, results.scorers, { total: results.total, completed: results.completed }, ctx);
  }
  const source = samplesSource(spec);
  const scorers = source.reductions ?? recomputeFromSamples(spec, source.items);
  if (scorers.length === 0) {
    throw fail(ctx, root.at('status'), 'the run has not finished (status started) and no sample has been scored yet, so there is no result to import');
  }
  const total = expectedTotal(spec);
  const completed = new Set(source.items.map((i) => i.key)).size;
  ctx.notes.push(partialNote('the run had not finished when the log was written (status started)', completed, total, source.from));
  return assemble(format, doc, root, spec, 'started', true, scorers, { total, completed }, ctx);
}

// ---------------------------------------------------------------------------------------------------------------
// JSON.

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function parseJson(ctx: Ctx, bytes: Uint8Array, where: Where): unknown {
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    throw fail(ctx, where, `${where.path} is not UTF-8 text, so not JSON`);
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw fail(ctx, where, `${where.path} is not JSON (${(err as Error).message})`);
  }
}

function readJsonLog(ctx: Ctx, input: Uint8Array): EvalImport {
  const root = new Where(null);
  const doc = parseJson(ctx, input, root);
  if (!isObj(doc)) {
    throw fail(ctx, root, `not an Inspect log: expected an EvalLog JSON object (with version, status, eval, results) or a .eval ZIP archive, got ${describe(doc)}`);
  }
  return fromEvalLog('eval-json', doc, root, ctx, (spec) => ({
    items: scoredItems(ctx, doc.samples, root.at('samples')),
    reductions: doc.reductions === undefined || doc.reductions === null ? null : nonEmpty(recomputeFromReductions(ctx, spec, doc.reductions, root.at('reductions'))),
    from: 'the samples in the log',
  }));
}

function nonEmpty<T>(xs: T[]): T[] | null {
  return xs.length === 0 ? null : xs;
}

// ---------------------------------------------------------------------------------------------------------------
// ZIP (.eval): a central-directory reader, inflating only the entries needed.

interface ZipEntry {
  name: string;
  flags: number;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  offset: number;
}

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_END = 0x06054b50;
const SIG_END64 = 0x06064b50;
const SIG_END64_LOCATOR = 0x07064b50;

function u64(view: DataView, at: number): number {
  return view.getUint32(at, true) + view.getUint32(at + 4, true) * 2 ** 32;
}

function zipDirectory(ctx: Ctx, buf: Uint8Array): Map<string, ZipEntry> {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const damaged = (why: string): AppError => invalidField('/', `${ctx.label}not a readable ZIP archive: ${why}`);
  let end = -1;
  for (let i = buf.length - 22; i >= 0 && i >= buf.length - 22 - 0xffff; i--) {
    if (view.getUint32(i, true) === SIG_END) {
      end = i;
      break;
    }
  }
  if (end < 0) throw damaged('no end of central directory record (the file is truncated, or not a ZIP archive)');
  let count = view.getUint16(end + 10, true);
  let cdSize = view.getUint32(end + 12, true);
  let cdOffset = view.getUint32(end + 16, true);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const locator = end - 20;
    if (locator < 0 || view.getUint32(locator, true) !== SIG_END64_LOCATOR) throw damaged('ZIP64 end of central directory locator missing');
    const end64 = u64(view, locator + 8);
    if (end64 + 56 > buf.length || view.getUint32(end64, true) !== SIG_END64) throw damaged('ZIP64 end of central directory record missing');
    count = u64(view, end64 + 32);
    cdSize = u64(view, end64 + 40);
    cdOffset = u64(view, end64 + 48);
  }
  if (cdOffset + cdSize > buf.length) throw damaged('the central directory lies past the end of the file (truncated?)');
  const entries = new Map<string, ZipEntry>();
  const names = new TextDecoder('utf-8');
  let p = cdOffset;
  for (let n = 0; n < count; n++) {
    if (p + 46 > buf.length || view.getUint32(p, true) !== SIG_CENTRAL) throw damaged(`central directory entry ${n} is damaged`);
    const nameLength = view.getUint16(p + 28, true);
    const extraLength = view.getUint16(p + 30, true);
    const commentLength = view.getUint16(p + 32, true);
    if (p + 46 + nameLength + extraLength > buf.length) throw damaged(`central directory entry ${n} is truncated`);
    const entry: ZipEntry = {
      name: names.decode(buf.subarray(p + 46, p + 46 + nameLength)),
      flags: view.getUint16(p + 8, true),
      method: view.getUint16(p + 10, true),
      crc: view.getUint32(p + 16, true),
      compressedSize: view.getUint32(p + 20, true),
      size: view.getUint32(p + 24, true),
      offset: view.getUint32(p + 42, true),
    };
    // ZIP64 extended information: the 64-bit values of whichever fields are saturated, in this order.
    for (let x = p + 46 + nameLength; x + 4 <= p + 46 + nameLength + extraLength; ) {
      const id = view.getUint16(x, true);
      const length = view.getUint16(x + 2, true);
      if (id === 0x0001) {
        let f = x + 4;
        const fieldEnd = x + 4 + length;
        if (entry.size === 0xffffffff && f + 8 <= fieldEnd) {
          entry.size = u64(view, f);
          f += 8;
        }
        if (entry.compressedSize === 0xffffffff && f + 8 <= fieldEnd) {
          entry.compressedSize = u64(view, f);
          f += 8;
        }
        if (entry.offset === 0xffffffff && f + 8 <= fieldEnd) entry.offset = u64(view, f);
      }
      x += 4 + length;
    }
    // Python's zipfile reads the last of two entries with one name; so does this.
    entries.set(entry.name, entry);
    p += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

type ZstdDecompress = (data: Uint8Array, options: { maxOutputLength: number }) => Buffer;
/** Node.js 22.15+ decompresses Zstandard; older ones cannot. */
const zstdDecompressSync = (zlib as unknown as { zstdDecompressSync?: ZstdDecompress }).zstdDecompressSync;

function inflateLimited(ctx: Ctx, data: Uint8Array, entry: ZipEntry, limit: number): Uint8Array {
  const parts: Uint8Array[] = [];
  let size = 0;
  let over = false;
  const inflater = new Inflate((chunk) => {
    size += chunk.length;
    if (size > limit) over = true;
    else parts.push(chunk);
  });
  // Small steps: one step of deflate can inflate about a thousandfold, so memory stays near the limit.
  const step = 16 * 1024;
  try {
    for (let i = 0; i < data.length || i === 0; i += step) {
      inflater.push(data.subarray(i, Math.min(i + step, data.length)), i + step >= data.length);
      if (over) throw tooLarge(ctx, entry.name, `${entry.name} inflates past ${mib(limit)}; entries that large are refused (a zip bomb, or not an Inspect log)`);
    }
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw invalidField(entry.name, `${ctx.label}${entry.name} cannot be decompressed: ${(err as Error).message}`);
  }
  if (parts.length === 1) return parts[0] as Uint8Array;
  const out = new Uint8Array(size);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function readEntry(ctx: Ctx, buf: Uint8Array, entry: ZipEntry, limit: number): Uint8Array {
  const field = entry.name;
  if (entry.flags & 1) throw invalidField(field, `${ctx.label}${entry.name} is encrypted`);
  if (entry.size > limit) {
    throw tooLarge(ctx, field, `${entry.name} is ${entry.size} bytes decompressed, over the ${mib(limit)} limit on one entry; refused (a zip bomb, or not an Inspect log)`);
  }
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (entry.offset + 30 > buf.length || view.getUint32(entry.offset, true) !== SIG_LOCAL) {
    throw invalidField(field, `${ctx.label}${entry.name}: its local header is missing or damaged`);
  }
  const start = entry.offset + 30 + view.getUint16(entry.offset + 26, true) + view.getUint16(entry.offset + 28, true);
  if (start + entry.compressedSize > buf.length) throw invalidField(field, `${ctx.label}${entry.name} is truncated`);
  const data = buf.subarray(start, start + entry.compressedSize);
  let out: Uint8Array;
  if (entry.method === 0) {
    out = data;
  } else if (entry.method === 8) {
    out = inflateLimited(ctx, data, entry, limit);
  } else if (entry.method === 93 && zstdDecompressSync !== undefined) {
    try {
      out = zstdDecompressSync(data, { maxOutputLength: limit });
    } catch (err) {
      if (err instanceof RangeError) {
        throw tooLarge(ctx, field, `${entry.name} inflates past ${mib(limit)}; entries that large are refused (a zip bomb, or not an Inspect log)`);
      }
      throw invalidField(field, `${ctx.label}${entry.name} cannot be decompressed: ${(err as Error).message}`);
    }
  } else if (entry.method === 93) {
    throw invalidField(
      field,
      `${ctx.label}${entry.name} is compressed with Zstandard (ZIP method 93, which Inspect writes when INSPECT_USE_ZSTD is set), and this Node.js cannot decompress it (Node.js 22.15 or later can): convert the log with "inspect log convert --to json" and import the JSON instead`,
    );
  } else {
    throw invalidField(field, `${ctx.label}${entry.name} uses ZIP compression method ${entry.method}; only stored (0), deflate (8) and Zstandard (93) are read`);
  }
  if (out.length !== entry.size) {
    throw invalidField(field, `${ctx.label}${entry.name} is damaged: it decompresses to ${out.length} bytes, the archive says ${entry.size}`);
  }
  if (zlib.crc32(out) >>> 0 !== entry.crc) throw invalidField(field, `${ctx.label}${entry.name} is damaged (CRC-32 mismatch)`);
  return out;
}

function readZipLog(ctx: Ctx, input: Uint8Array, maxEntry: number): EvalImport {
  const entries = zipDirectory(ctx, input);
  const json = (name: string): unknown => {
    const entry = entries.get(name);
    return entry === undefined ? undefined : parseJson(ctx, readEntry(ctx, input, entry, maxEntry), new Where(name));
  };
  /** Sample summaries: `summaries.json` when the run wrote it, else the journal's `_journal/summaries/<n>.json` in order. */
  const summaries = (spec: Spec): { items: Scored[]; reductions: EvalScorerResult[] | null; from: string } => {
    const reductionsDoc = json('reductions.json');
    const reductions = reductionsDoc === undefined ? null : nonEmpty(recomputeFromReductions(ctx, spec, reductionsDoc, new Where('reductions.json')));
    if (entries.has('summaries.json')) {
      return { items: scoredItems(ctx, json('summaries.json'), new Where('summaries.json')), reductions, from: reductions ? 'reductions.json' : 'summaries.json' };
    }
    const journal = [...entries.keys()]
      .map((name) => /^_journal\/summaries\/(\d+)\.json$/.exec(name))
      .filter((m): m is RegExpExecArray => m !== null)
      .sort((a, b) => Number(a[1]) - Number(b[1]))
      .map((m) => m[0]);
    const items = journal.flatMap((name) => scoredItems(ctx, json(name), new Where(name)));
    return { items, reductions, from: reductions ? 'reductions.json' : `the journal's sample summaries (${journal.length} file${journal.length === 1 ? '' : 's'})` };
  };

  const header = json('header.json');
  if (header !== undefined) {
    const root = new Where('header.json');
    if (!isObj(header)) throw fail(ctx, root, `header.json must be a JSON object (the EvalLog without samples), not ${describe(header)}`);
    return fromEvalLog('eval-zip', header, root, ctx, summaries);
  }

  // No header: the log was written incrementally and the run never wrote its end. Read what the journal holds.
  const start = json('_journal/start.json');
  if (start === undefined) {
    throw invalidField(
      'header.json',
      `${ctx.label}not an Inspect .eval log: the archive has neither header.json nor _journal/start.json`,
    );
  }
  const root = new Where('_journal/start.json');
  if (!isObj(start)) throw fail(ctx, root, `_journal/start.json must be a JSON object ({version, eval, plan}), not ${describe(start)}`);
  const spec = readSpec(ctx, start, root);
  const source = summaries(spec);
  const scorers = source.reductions ?? recomputeFromSamples(spec, source.items);
  if (scorers.length === 0) {
    throw invalidField(
      'header.json',
      `${ctx.label}the archive has no header.json: the run never finished, and no sample has been scored yet, so there is no result to import`,
    );
  }
  const total = expectedTotal(spec);
  const completed = new Set(source.items.map((i) => i.key)).size;
  ctx.notes.push(partialNote('the archive has no header.json, so the run never finished (it crashed, was killed, or is still running)', completed, total, source.from));
  return assemble('eval-zip', start, root, spec, 'started', true, scorers, { total, completed }, ctx);
}

// ---------------------------------------------------------------------------------------------------------------

function isZip(b: Uint8Array): boolean {
  return b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b && ((b[2] === 0x03 && b[3] === 0x04) || (b[2] === 0x05 && b[3] === 0x06));
}

/**
 * Reads an Inspect evaluation log: a `.eval` ZIP archive (told by its `PK\x03\x04` signature, whatever its name)
 * or an `EvalLog` JSON document. Throws an `invalid-field` AppError naming the JSON pointer at fault (inside an
 * archive, `<entry>#<pointer>`, e.g. `header.json#/eval/task`), or `payload-too-large` past the limits.
 */
export function readInspectLog(input: Uint8Array, fileName?: string, limits: InspectLogLimits = {}): EvalImport {
  const ctx: Ctx = { label: fileName === undefined || fileName === '' ? '' : `${fileName}: `, notes: [] };
  const maxArchive = limits.maxArchiveBytes ?? inspectLogLimits.maxArchiveBytes;
  const maxEntry = limits.maxEntryBytes ?? inspectLogLimits.maxEntryBytes;
  const zip = isZip(input);
  if (input.length > maxArchive) {
    throw tooLarge(ctx, '/', `the ${zip ? 'archive' : 'log'} is ${input.length} bytes; Inspect logs over ${mib(maxArchive)} are refused`);
  }
  if (zip) return readZipLog(ctx, input, maxEntry);
  if (fileName !== undefined && /\.eval$/i.test(fileName)) {
    throw invalidField('/', `${ctx.label}not a ZIP archive: a .eval log is a ZIP file (starting with PK\\x03\\x04)`);
  }
  return readJsonLog(ctx, input);
}

// ---------------------------------------------------------------------------------------------------------------
// Task → benchmark.

const acronyms: Record<string, string> = { mitre: 'MITRE', frr: 'FRR', ctf: 'CTF', qa: 'QA', mcq: 'MCQ' };

function title(snake: string): string {
  return snake
    .split('_')
    .filter((w) => w !== '')
    .map((w) => acronyms[w] ?? `${w[0]?.toUpperCase() ?? ''}${w.slice(1)}`)
    .join(' ');
}

type Benchmark = { benchmark: string; version: string | null };

/** inspect_evals task names (src/inspect_evals/_registry.py) of cyber benchmarks, and the benchmark each is. */
const knownTasks: ReadonlyArray<[RegExp, (m: RegExpExecArray) => Benchmark]> = [
  [/^cybench$/, () => ({ benchmark: 'Cybench', version: null })],
  [/^cve_?bench$/, () => ({ benchmark: 'CVE-Bench', version: null })],
  [/^nyu_?ctf(_?bench)?$/, () => ({ benchmark: 'NYU CTF Bench', version: null })],
  [/^(gdm_)?intercode_ctf$/, () => ({ benchmark: 'InterCode CTF', version: null })],
  [/^gdm_in_house_ctf$/, () => ({ benchmark: 'GDM In-House CTF', version: null })],
  // CyberSecEval 2, 3 and 4 (Meta PurpleLlama): cyse2_interpreter_abuse, cyse2_prompt_injection, cyse2_vulnerability_exploit,
  // cyse3_visual_prompt_injection, cyse4_mitre…: the suite's part as the benchmark, the suite's number as its version.
  [/^cyse([234])_([a-z0-9_]+)$/, (m) => ({ benchmark: `CyberSecEval ${title(m[2] as string)}`, version: m[1] as string })],
  // CyberMetric-80, -500, -2000 and -10000 are four question sets, named by size.
  [/^cybermetric_(\d+)$/, (m) => ({ benchmark: `CyberMetric-${m[1] as string}`, version: null })],
  [/^sec_qa_v(\d+)(_5_shot)?$/, (m) => ({ benchmark: m[2] ? 'SecQA (5-shot)' : 'SecQA', version: m[1] as string })],
  [/^threecb$/, () => ({ benchmark: '3CB', version: null })],
  [/^cybergym$/, () => ({ benchmark: 'CyberGym', version: null })],
  [/^wmdp_cyber$/, () => ({ benchmark: 'WMDP-Cyber', version: null })],
];

/**
 * The benchmark an Inspect task is: known inspect_evals task names (with or without a registry prefix such as
 * `inspect_evals/`) map to the benchmark's published name; any other task keeps its task name. Null only for an
 * empty name.
 */
export function benchmarkOf(task: string): Benchmark | null {
  const name = task.trim();
  if (name === '') return null;
  const base = name.slice(name.lastIndexOf('/') + 1).toLowerCase();
  for (const [pattern, make] of knownTasks) {
    const m = pattern.exec(base);
    if (m !== null) return make(m);
  }
  return { benchmark: name, version: null };
}
