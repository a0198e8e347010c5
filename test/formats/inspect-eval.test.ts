// Inspect evaluation logs: an EvalLog JSON document and a .eval ZIP archive, built here with fflate from the JSON
// parts in test/fixtures/inspect (a Cybench run as EvalLog JSON; an InterCode CTF run, 5 samples × 2 epochs, as
// the entries of a .eval archive) so the fixtures stay readable.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as zlib from 'node:zlib';
import { deflateSync, strToU8, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { benchmarkOf, inspectLogLimits, readInspectLog, type EvalImport } from '../../src/formats/inspect-eval.js';
import { fails } from '../support/errors.js';

type Json = any;

const fixtures = fileURLToPath(new URL('../fixtures/inspect/', import.meta.url));
const MiB = 1024 * 1024;

const cybench = (): Json => JSON.parse(readFileSync(join(fixtures, 'cybench.json'), 'utf8'));

/** The InterCode CTF run's archive entries, parsed. */
function ctfParts(): Record<string, Json> {
  const root = join(fixtures, 'intercode-ctf');
  const out: Record<string, Json> = {};
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else out[relative(root, path).split('\\').join('/')] = JSON.parse(readFileSync(path, 'utf8'));
    }
  };
  walk(root);
  return out;
}

function evalZip(parts: Record<string, Json>, level: 0 | 6 = 6): Uint8Array {
  const files: Record<string, Uint8Array> = {};
  for (const [name, value] of Object.entries(parts)) files[name] = typeof value === 'string' ? strToU8(value) : strToU8(JSON.stringify(value, null, 2));
  return zipSync(files, { level });
}

/** The Cybench EvalLog written as Inspect writes a .eval: the log without samples as header.json, and the journal. */
function cybenchZip(edit: (log: Json) => void = () => {}): Uint8Array {
  const log = cybench();
  edit(log);
  const { samples, ...header } = log;
  return evalZip({
    'header.json': header,
    '_journal/start.json': { version: 2, eval: log.eval, plan: log.plan },
    '_journal/summaries/1.json': samples.map((s: Json) => ({ id: s.id, epoch: s.epoch, input: s.input, target: s.target, scores: s.scores, completed: true })),
    ...Object.fromEntries(samples.map((s: Json) => [`samples/${s.id}_epoch_${s.epoch}.json`, s])),
  });
}

const json = (v: unknown): Uint8Array => strToU8(JSON.stringify(v));

interface RawEntry {
  name: string;
  /** The bytes as stored (compressed with `method`). */
  data: Uint8Array;
  method: number;
  /** Declared uncompressed size and CRC-32. */
  size: number;
  crc: number;
  flags?: number;
}

/** A ZIP written byte by byte, so tests can declare what they like: lying sizes, other methods, encryption. */
function rawZip(entries: RawEntry[]): Uint8Array {
  const chunks: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = strToU8(e.name);
    const local = new DataView(new ArrayBuffer(30));
    local.setUint32(0, 0x04034b50, true);
    local.setUint16(4, 20, true);
    local.setUint16(6, e.flags ?? 0, true);
    local.setUint16(8, e.method, true);
    local.setUint16(12, 0x21, true);
    local.setUint32(14, e.crc, true);
    local.setUint32(18, e.data.length, true);
    local.setUint32(22, e.size, true);
    local.setUint16(26, name.length, true);
    chunks.push(new Uint8Array(local.buffer), name, e.data);
    const c = new DataView(new ArrayBuffer(46));
    c.setUint32(0, 0x02014b50, true);
    c.setUint16(4, 20, true);
    c.setUint16(6, 20, true);
    c.setUint16(8, e.flags ?? 0, true);
    c.setUint16(10, e.method, true);
    c.setUint16(14, 0x21, true);
    c.setUint32(16, e.crc, true);
    c.setUint32(20, e.data.length, true);
    c.setUint32(24, e.size, true);
    c.setUint16(28, name.length, true);
    c.setUint32(42, offset, true);
    central.push(new Uint8Array(c.buffer), name);
    offset += 30 + name.length + e.data.length;
  }
  const cdSize = central.reduce((n, c) => n + c.length, 0);
  const end = new DataView(new ArrayBuffer(22));
  end.setUint32(0, 0x06054b50, true);
  end.setUint16(8, entries.length, true);
  end.setUint16(10, entries.length, true);
  end.setUint32(12, cdSize, true);
  end.setUint32(16, offset, true);
  const all = [...chunks, ...central, new Uint8Array(end.buffer)];
  const out = new Uint8Array(all.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of all) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

function deflatedEntry(name: string, plain: Uint8Array): RawEntry {
  return { name, data: deflateSync(plain), method: 8, size: plain.length, crc: zlib.crc32(plain) >>> 0 };
}

function storedEntry(name: string, plain: Uint8Array): RawEntry {
  return { name, data: plain, method: 0, size: plain.length, crc: zlib.crc32(plain) >>> 0 };
}

const cybenchExpected: Omit<EvalImport, 'format'> = {
  logVersion: 2,
  status: 'success',
  partial: false,
  task: { name: 'inspect_evals/cybench', version: '1', id: 'Ub5yH2kLq8Vn3RwXe7TzMd' },
  benchmark: { benchmark: 'Cybench', version: null },
  runId: '7fPqLm2XwRz9TbVk4HsNaE',
  created: '2026-05-11T09:42:17.000Z',
  model: 'acme/atlas-2-preview',
  dataset: { name: 'cybench', samples: 40 },
  scorers: [{ name: 'includes', scorer: 'includes', metrics: { accuracy: 0.575, stderr: 0.07915 } }],
  headline: { scorer: 'includes', metric: 'accuracy', value: 0.575 },
  samples: { total: 40, completed: 40 },
  error: null,
  notes: [],
};

describe('readInspectLog: EvalLog JSON', () => {
  it('reads a Cybench run: task, model, scorer, headline metric, sample counts', () => {
    const bytes = readFileSync(join(fixtures, 'cybench.json'));
    expect(readInspectLog(bytes, 'cybench.json')).toEqual({ format: 'eval-json', ...cybenchExpected });
  });

  it('takes a byte-order mark, normalizes the creation time to UTC and reads a zone-less time as UTC, as Inspect does', () => {
    const log = cybench();
    log.eval.created = '2026-05-11T11:42:17.5+02:00';
    const withBom = new Uint8Array([0xef, 0xbb, 0xbf, ...json(log)]);
    expect(readInspectLog(withBom).created).toBe('2026-05-11T09:42:17.500Z');
    log.eval.created = '2026-05-11T09:42:17';
    const r = readInspectLog(json(log));
    expect(r.created).toBe('2026-05-11T09:42:17.000Z');
    expect(r.notes.join('\n')).toMatch(/no time zone; read as UTC/);
  });

  it('reads a task version given as a string, and no run id or task id as null', () => {
    const log = cybench();
    log.eval.task_version = '2-B';
    delete log.eval.run_id;
    log.eval.task_id = '';
    const r = readInspectLog(json(log));
    expect(r.task).toEqual({ name: 'inspect_evals/cybench', version: '2-B', id: null });
    expect(r.runId).toBeNull();
  });

  it('reads the pre-2024 results shape (results.scorer and results.metrics) the way Inspect migrates it', () => {
    const log = cybench();
    log.results = { total_samples: 40, completed_samples: 40, scorer: { name: 'includes', params: {} }, metrics: { accuracy: { name: 'accuracy', value: 0.5 } } };
    const r = readInspectLog(json(log));
    expect(r.scorers).toEqual([{ name: 'includes', scorer: 'includes', metrics: { accuracy: 0.5 } }]);
    expect(r.headline).toEqual({ scorer: 'includes', metric: 'accuracy', value: 0.5 });
  });

  it('says when samples errored out of a finished run, and when the log marks samples invalidated', () => {
    const log = cybench();
    log.results.completed_samples = 37;
    log.invalidated = true;
    const r = readInspectLog(json(log));
    expect(r.samples).toEqual({ total: 40, completed: 37 });
    expect(r.notes).toEqual(['the log marks some samples as invalidated', '37 of 40 samples completed without error']);
  });
});

describe('readInspectLog: .eval archive', () => {
  it('reads a CTF run from header.json', () => {
    const r = readInspectLog(evalZip(ctfParts()), '2026-05-14T16-20-05+00-00_gdm-intercode-ctf_Hm6Vd2Xq.eval');
    expect(r).toEqual({
      format: 'eval-zip',
      logVersion: 2,
      status: 'success',
      partial: false,
      task: { name: 'inspect_evals/gdm_intercode_ctf', version: '2-A', id: 'Hm6Vd2XqR9tLw3KzPy7BcN' },
      benchmark: { benchmark: 'InterCode CTF', version: null },
      runId: 'Kc4sWq9ZpT6yNv2RbXh8Fj',
      created: '2026-05-14T16:20:05.000Z',
      model: 'acme/atlas-2-preview',
      dataset: { name: 'ic_ctf', samples: 5 },
      scorers: [{ name: 'includes', scorer: 'includes', metrics: { accuracy: 0.6, stderr: 0.1870828693386971 } }],
      headline: { scorer: 'includes', metric: 'accuracy', value: 0.6 },
      samples: { total: 10, completed: 10 },
      error: null,
      notes: [],
    });
  });

  it('reads the same run from JSON and from .eval alike', () => {
    expect(readInspectLog(cybenchZip())).toEqual({ format: 'eval-zip', ...cybenchExpected });
  });

  it('knows an archive by its signature, not its name, and reads stored (uncompressed) entries', () => {
    expect(readInspectLog(evalZip(ctfParts(), 0), 'log.json').format).toBe('eval-zip');
  });

  it('never inflates the samples: a huge sample entry does not stop the header being read', () => {
    const header = json(ctfParts()['header.json']);
    const zip = rawZip([
      { name: 'samples/1_epoch_1.json', data: new Uint8Array(8), method: 8, size: 0xfffffff0, crc: 0 },
      deflatedEntry('header.json', header),
    ]);
    expect(readInspectLog(zip).headline?.value).toBe(0.6);
  });

  it('reads the last of two entries with one name, as Python does', () => {
    const header = ctfParts()['header.json'];
    const older = json({ ...header, results: { ...header.results, scores: [{ name: 'includes', scorer: 'includes', metrics: { accuracy: { name: 'accuracy', value: 0.2 } } }] } });
    const zip = rawZip([deflatedEntry('header.json', older), deflatedEntry('header.json', json(header))]);
    expect(readInspectLog(zip).headline?.value).toBe(0.6);
  });
});

describe('readInspectLog: headline', () => {
  const withScores = (scores: Json[]): EvalImport => {
    const log = cybench();
    log.results.scores = scores;
    return readInspectLog(json(log));
  };
  const m = (metrics: Record<string, number>): Json => Object.fromEntries(Object.entries(metrics).map(([name, value]) => [name, { name, value }]));

  it("takes the first scorer's accuracy wherever it is listed", () => {
    const r = withScores([
      { name: 'includes', scorer: 'includes', metrics: m({ stderr: 0.1, mean: 0.4, accuracy: 0.45 }) },
      { name: 'model_graded_qa', scorer: 'model_graded_qa', metrics: m({ accuracy: 0.9 }) },
    ]);
    expect(r.headline).toEqual({ scorer: 'includes', metric: 'accuracy', value: 0.45 });
    expect(r.scorers.map((s) => s.name)).toEqual(['includes', 'model_graded_qa']);
  });

  it('takes mean when there is no accuracy', () => {
    expect(withScores([{ name: 'check_flag', scorer: 'check_flag', metrics: m({ stderr: 0.05, mean: 0.31 }) }]).headline).toEqual({ scorer: 'check_flag', metric: 'mean', value: 0.31 });
  });

  it('takes the first metric when there is neither', () => {
    expect(withScores([{ name: 'subtasks', scorer: 'subtasks', metrics: m({ guided_success: 0.3, subtask_score: 0.55 }) }]).headline).toEqual({
      scorer: 'subtasks',
      metric: 'guided_success',
      value: 0.3,
    });
  });

  it('passes over a scorer without metrics, and is null when no scorer has one', () => {
    expect(withScores([{ name: 'a', scorer: 'a', metrics: {} }, { name: 'b', scorer: 'b', metrics: m({ accuracy: 0.7 }) }]).headline).toEqual({ scorer: 'b', metric: 'accuracy', value: 0.7 });
    expect(withScores([{ name: 'a', scorer: 'a', metrics: {} }]).headline).toBeNull();
  });
});

describe('readInspectLog: partial logs', () => {
  /** What an interrupted run leaves: the journal only, no header.json, summaries.json or reductions.json. */
  const journalOnly = (epochs: 1 | 2): Record<string, Json> => {
    const p = ctfParts();
    return {
      '_journal/start.json': p['_journal/start.json'],
      '_journal/summaries/1.json': p['_journal/summaries/1.json'],
      ...(epochs === 2 ? { '_journal/summaries/2.json': p['_journal/summaries/2.json'] } : {}),
      'samples/3_epoch_1.json': p['samples/3_epoch_1.json'],
    };
  };

  it('reads a .eval without header.json from the journal, says it is partial, and recomputes accuracy from the scored samples', () => {
    const r = readInspectLog(evalZip(journalOnly(1)), 'crashed.eval');
    expect(r).toMatchObject({
      format: 'eval-zip',
      status: 'started',
      partial: true,
      task: { name: 'inspect_evals/gdm_intercode_ctf', version: '2-A' },
      model: 'acme/atlas-2-preview',
      scorers: [{ name: 'includes', scorer: 'includes', metrics: { accuracy: 0.8 } }],
      headline: { scorer: 'includes', metric: 'accuracy', value: 0.8 },
      samples: { total: 10, completed: 5 },
      error: null,
    });
    expect(r.notes).toHaveLength(1);
    expect(r.notes[0]).toMatch(/^partial: the archive has no header\.json, so the run never finished .* recomputed from the journal's sample summaries \(1 file\) \(5 of 10 samples scored\) and are not the run's own result$/);
  });

  it('reduces epochs by their mean before averaging samples, as Inspect does', () => {
    const r = readInspectLog(evalZip(journalOnly(2)));
    expect(r.headline).toEqual({ scorer: 'includes', metric: 'accuracy', value: 0.6 });
    expect(r.samples).toEqual({ total: 10, completed: 10 });
  });

  it('prefers reductions.json, and reads summaries.json over the journal, when the run wrote them but not its header', () => {
    const { 'header.json': _, ...parts } = ctfParts();
    parts['reductions.json'][0].samples[0].value = 0; // 0, .5, 0, 1, .5
    parts['_journal/summaries/1.json'] = [];
    const r = readInspectLog(evalZip(parts));
    expect(r.headline).toEqual({ scorer: 'includes', metric: 'accuracy', value: 0.4 });
    expect(r.samples.completed).toBe(10);
    expect(r.notes[0]).toMatch(/recomputed from reductions\.json/);
  });

  it('reads a header whose run had not finished from the journal too', () => {
    const parts = journalOnly(2);
    const { results: _, ...header } = ctfParts()['header.json'];
    parts['header.json'] = { ...header, status: 'started' };
    const r = readInspectLog(evalZip(parts));
    expect(r).toMatchObject({ status: 'started', partial: true, headline: { value: 0.6 } });
    expect(r.notes[0]).toMatch(/^partial: the run had not finished when the log was written \(status started\)/);
  });

  it('reads a JSON log still at status started from its samples; errored samples do not count', () => {
    const log = cybench();
    log.status = 'started';
    delete log.results;
    log.samples.push({ ...log.samples[1], id: 'flag_command', error: { message: 'sandbox died', traceback: '' } });
    const r = readInspectLog(json(log));
    expect(r).toMatchObject({ format: 'eval-json', status: 'started', partial: true, samples: { total: 40, completed: 3 } });
    expect(r.headline?.value).toBeCloseTo(2 / 3, 12);
    expect(r.notes[0]).toMatch(/recomputed from the samples in the log \(3 of 40 samples scored\)/);
  });

  it('names the metric mean when the scores are numbers rather than graded C/I', () => {
    const log = cybench();
    log.status = 'started';
    delete log.results;
    log.samples.forEach((s: Json, i: number) => (s.scores = { subtask_score: { value: [0.25, 0.5, 1][i] } }));
    expect(readInspectLog(json(log)).headline).toEqual({ scorer: 'subtask_score', metric: 'mean', value: 0.5833333333333334 });
  });

  it('keeps the results of a log at status started when it has them, and says the run had not finished', () => {
    const log = cybench();
    log.status = 'started';
    const r = readInspectLog(json(log));
    expect(r).toMatchObject({ status: 'started', partial: true, headline: { value: 0.575 } });
    expect(r.notes[0]).toMatch(/had not finished/);
  });

  it('refuses a partial log with nothing scored yet', () => {
    const parts = journalOnly(1);
    parts['_journal/summaries/1.json'] = [];
    const e = fails(() => readInspectLog(evalZip(parts), 'early.eval'));
    expect(e.field).toBe('header.json');
    expect(e.message).toMatch(/^early\.eval: the archive has no header\.json: the run never finished, and no sample has been scored yet/);
    const log = cybench();
    log.status = 'started';
    delete log.results;
    delete log.samples;
    expect(fails(() => readInspectLog(json(log))).field).toBe('/status');
  });
});

describe('readInspectLog: refusals name their field and reason', () => {
  const bad = (edit: (log: Json) => void, name?: string) => {
    const log = cybench();
    edit(log);
    return fails(() => readInspectLog(json(log), name));
  };

  it('not JSON, not an object, a .eval that is not a ZIP', () => {
    const e = fails(() => readInspectLog(strToU8('{"version": 2, "status": '), 'log.json'));
    expect([e.code, e.field]).toEqual(['invalid-field', '/']);
    expect(e.message).toMatch(/^log\.json: the log is not JSON \(/);
    expect(fails(() => readInspectLog(new Uint8Array([0xff, 0xfe, 0x00]))).message).toMatch(/not UTF-8/);
    expect(fails(() => readInspectLog(strToU8('[]'))).message).toMatch(/not an Inspect log: expected an EvalLog JSON object/);
    const notZip = fails(() => readInspectLog(json(cybench()), 'run.eval'));
    expect([notZip.field, notZip.message]).toEqual(['/', 'run.eval: not a ZIP archive: a .eval log is a ZIP file (starting with PK\\x03\\x04)']);
  });

  it('a damaged or truncated archive', () => {
    const zip = evalZip(ctfParts());
    const e = fails(() => readInspectLog(zip.subarray(0, zip.length - 30), 'cut.eval'));
    expect([e.field, e.message]).toEqual(['/', 'cut.eval: not a readable ZIP archive: no end of central directory record (the file is truncated, or not a ZIP archive)']);
    expect(fails(() => readInspectLog(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1, 2, 3]))).field).toBe('/');
  });

  it('an archive with no header and no journal', () => {
    const e = fails(() => readInspectLog(evalZip({ 'samples/1_epoch_1.json': {} })));
    expect([e.field, e.message]).toEqual(['header.json', 'not an Inspect .eval log: the archive has neither header.json nor _journal/start.json']);
  });

  it('a header that is not JSON, or not an object', () => {
    expect(fails(() => readInspectLog(evalZip({ 'header.json': '{"version": 2,' }))).field).toBe('header.json');
    expect(fails(() => readInspectLog(evalZip({ 'header.json': [] }))).message).toMatch(/^header\.json must be a JSON object/);
  });

  it('a run that ended in error: refused with its message, because an incomplete run is not a result', () => {
    const e = bad((l) => {
      l.status = 'error';
      l.error = { message: "RuntimeError('Docker compose up failed for service victim')", traceback: 'Traceback…' };
    }, 'cybench.json');
    expect(e.field).toBe('/status');
    expect(e.message).toBe(
      "cybench.json: the run ended in error: RuntimeError('Docker compose up failed for service victim'). An incomplete run is not a result, so this log is not imported: finish the run (for example with inspect eval-retry) and import the log it writes",
    );
  });

  it('a cancelled run, in an archive: the pointer is inside header.json', () => {
    const e = fails(() => readInspectLog(cybenchZip((l) => (l.status = 'cancelled'))));
    expect(e.field).toBe('header.json#/status');
    expect(e.message).toMatch(/^the run was cancelled\. An incomplete run is not a result/);
  });

  it('an unknown status', () => {
    const e = bad((l) => (l.status = 'done'));
    expect([e.field, e.message]).toEqual(['/status', 'status is the string "done": it must be one of started, success, cancelled, error']);
  });

  it('no eval, no task, no model, no creation time', () => {
    expect(bad((l) => delete l.eval).field).toBe('/eval');
    const task = bad((l) => delete l.eval.task);
    expect([task.field, task.message]).toEqual(['/eval/task', 'eval.task is missing: the log must name the task that was run']);
    expect(bad((l) => (l.eval.model = '')).field).toBe('/eval/model');
    expect(bad((l) => (l.eval.created = 'last Tuesday')).field).toBe('/eval/created');
    expect(bad((l) => (l.eval.created = '2026-02-30T10:00:00Z')).field).toBe('/eval/created');
  });

  it('inside an archive the pointer names the entry: header.json, or the journal for a partial log', () => {
    const e = fails(() => readInspectLog(cybenchZip((l) => delete l.eval.task)));
    expect([e.field, e.message]).toEqual(['header.json#/eval/task', 'header.json: eval.task is missing: the log must name the task that was run']);
    const parts = ctfParts();
    delete parts['header.json'];
    delete parts['_journal/start.json'].eval.model;
    expect(fails(() => readInspectLog(evalZip(parts))).field).toBe('_journal/start.json#/eval/model');
  });

  it('no results, no results.scores, an empty list of scores', () => {
    const none = bad((l) => delete l.results);
    expect([none.field, none.message]).toEqual(['/results', 'results is missing: a log with status success must carry its results']);
    const noScores = bad((l) => delete l.results.scores);
    expect([noScores.field, noScores.message]).toEqual(['/results/scores', 'results.scores has no scores: the log records no result to import (results.scores is missing or empty)']);
    expect(bad((l) => (l.results.scores = [])).field).toBe('/results/scores');
    expect(bad((l) => (l.results.scores = {})).field).toBe('/results/scores');
    expect(bad((l) => (l.results.scores[0] = 'includes')).field).toBe('/results/scores/0');
    expect(bad((l) => delete l.results.scores[0].name).field).toBe('/results/scores/0/name');
  });

  it('a metric value that is not a finite number', () => {
    const nan = bad((l) => (l.results.scores[0].metrics.stderr.value = null));
    expect([nan.field, nan.message]).toEqual(['/results/scores/0/metrics/stderr/value', 'metric stderr of scorer includes is null (Inspect writes NaN and infinities as null), not a finite number']);
    expect(bad((l) => (l.results.scores[0].metrics.accuracy.value = '0.575')).field).toBe('/results/scores/0/metrics/accuracy/value');
    expect(bad((l) => (l.results.scores[0].metrics.accuracy = 0.575)).field).toBe('/results/scores/0/metrics/accuracy');
    // Metric names are escaped as JSON pointers.
    expect(bad((l) => (l.results.scores[0].metrics['pass/fail'] = { name: 'pass/fail', value: true })).field).toBe('/results/scores/0/metrics/pass~1fail/value');
    const inZip = fails(() => readInspectLog(cybenchZip((l) => (l.results.scores[0].metrics.accuracy.value = null))));
    expect(inZip.field).toBe('header.json#/results/scores/0/metrics/accuracy/value');
  });

  it('fields of the wrong type', () => {
    expect(bad((l) => (l.eval.task_version = true)).field).toBe('/eval/task_version');
    expect(bad((l) => (l.eval.dataset.samples = -1)).field).toBe('/eval/dataset/samples');
    expect(bad((l) => (l.eval.dataset = 'cybench')).field).toBe('/eval/dataset');
    expect(bad((l) => (l.results.total_samples = 40.5)).field).toBe('/results/total_samples');
    expect(bad((l) => (l.version = '2')).field).toBe('/version');
  });

  it('an encrypted entry, a damaged one, an unknown compression method', () => {
    const header = json(ctfParts()['header.json']);
    const encrypted = fails(() => readInspectLog(rawZip([{ ...storedEntry('header.json', header), flags: 1 }])));
    expect([encrypted.field, encrypted.message]).toEqual(['header.json', 'header.json is encrypted']);
    const crc = fails(() => readInspectLog(rawZip([{ ...storedEntry('header.json', header), crc: 1 }])));
    expect([crc.field, crc.message]).toEqual(['header.json', 'header.json is damaged (CRC-32 mismatch)']);
    const garbage = fails(() => readInspectLog(rawZip([{ ...deflatedEntry('header.json', header), data: new Uint8Array([0xff, 0xff, 0xff]) }])));
    expect(garbage.field).toBe('header.json');
    expect(garbage.message).toMatch(/^header\.json cannot be decompressed/);
    const bzip2 = fails(() => readInspectLog(rawZip([{ ...storedEntry('header.json', header), method: 12 }])));
    expect([bzip2.field, bzip2.message]).toEqual(['header.json', 'header.json uses ZIP compression method 12; only stored (0), deflate (8) and Zstandard (93) are read']);
  });

  it('a Zstandard entry: read where Node.js can decompress it, else refused saying how to convert the log', () => {
    const header = json(ctfParts()['header.json']);
    const z = zlib as unknown as { zstdCompressSync?: (b: Uint8Array) => Buffer };
    if (z.zstdCompressSync) {
      const zip = rawZip([{ name: 'header.json', data: z.zstdCompressSync(header), method: 93, size: header.length, crc: zlib.crc32(header) >>> 0 }]);
      expect(readInspectLog(zip).headline?.value).toBe(0.6);
    } else {
      const zip = rawZip([{ name: 'header.json', data: new Uint8Array(16), method: 93, size: header.length, crc: zlib.crc32(header) >>> 0 }]);
      const e = fails(() => readInspectLog(zip, 'zstd.eval'));
      expect(e.field).toBe('header.json');
      expect(e.message).toMatch(/^zstd\.eval: header\.json is compressed with Zstandard \(ZIP method 93.*"inspect log convert --to json"/);
    }
  });
});

describe('readInspectLog: zip bomb guard', () => {
  it('limits entries to 64 MiB inflated and archives to 256 MiB', () => {
    expect(inspectLogLimits).toEqual({ maxArchiveBytes: 256 * MiB, maxEntryBytes: 64 * MiB });
  });

  it('refuses an entry whose declared size is over the limit, without inflating it', () => {
    const e = fails(() => readInspectLog(rawZip([{ name: 'header.json', data: deflateSync(strToU8('{}')), method: 8, size: 64 * MiB + 1, crc: 0 }]), 'bomb.eval'));
    expect([e.code, e.status, e.field]).toEqual(['payload-too-large', 413, 'header.json']);
    expect(e.message).toMatch(/^bomb\.eval: header\.json is 67108865 bytes decompressed, over the 64 MiB limit on one entry; refused/);
  });

  it('stops inflating an entry that lies about its size once it passes 64 MiB', () => {
    const zeros = deflateSync(new Uint8Array(65 * MiB), { level: 1 });
    const zip = rawZip([{ name: 'header.json', data: zeros, method: 8, size: 1000, crc: 0 }]);
    expect(zip.length).toBeLessThan(1 * MiB);
    const e = fails(() => readInspectLog(zip));
    expect([e.code, e.field, e.message]).toEqual(['payload-too-large', 'header.json', 'header.json inflates past 64 MiB; entries that large are refused (a zip bomb, or not an Inspect log)']);
  });

  it('applies the limits to the journal entries of a partial log too, and to archives and JSON logs as a whole', () => {
    const parts = ctfParts();
    const start = json(parts['_journal/start.json']);
    expect(start.length).toBeLessThan(6000);
    const bomb = rawZip([deflatedEntry('_journal/start.json', start), { name: '_journal/summaries/1.json', data: deflateSync(new Uint8Array(20_000)), method: 8, size: 10, crc: 0 }]);
    const e = fails(() => readInspectLog(bomb, undefined, { maxEntryBytes: 6000 }));
    expect([e.code, e.field]).toEqual(['payload-too-large', '_journal/summaries/1.json']);
    const whole = fails(() => readInspectLog(evalZip(parts), 'big.eval', { maxArchiveBytes: 1000 }));
    expect([whole.code, whole.field]).toEqual(['payload-too-large', '/']);
    expect(whole.message).toMatch(/^big\.eval: the archive is \d+ bytes; Inspect logs over 1000 bytes are refused$/);
    expect(fails(() => readInspectLog(json(cybench()), undefined, { maxArchiveBytes: 1000 })).code).toBe('payload-too-large');
  });
});

describe('benchmarkOf', () => {
  it('maps inspect_evals cyber tasks to their benchmarks, with or without the registry prefix', () => {
    expect(benchmarkOf('inspect_evals/cybench')).toEqual({ benchmark: 'Cybench', version: null });
    expect(benchmarkOf('cybench')).toEqual({ benchmark: 'Cybench', version: null });
    expect(benchmarkOf('cve_bench')).toEqual({ benchmark: 'CVE-Bench', version: null });
    expect(benchmarkOf('inspect_evals/cvebench')).toEqual({ benchmark: 'CVE-Bench', version: null });
    expect(benchmarkOf('nyu_ctf')).toEqual({ benchmark: 'NYU CTF Bench', version: null });
    expect(benchmarkOf('nyu_ctf_bench')).toEqual({ benchmark: 'NYU CTF Bench', version: null });
    expect(benchmarkOf('inspect_evals/gdm_intercode_ctf')).toEqual({ benchmark: 'InterCode CTF', version: null });
    expect(benchmarkOf('gdm_in_house_ctf')).toEqual({ benchmark: 'GDM In-House CTF', version: null });
    expect(benchmarkOf('threecb')).toEqual({ benchmark: '3CB', version: null });
    expect(benchmarkOf('cybergym')).toEqual({ benchmark: 'CyberGym', version: null });
    expect(benchmarkOf('wmdp_cyber')).toEqual({ benchmark: 'WMDP-Cyber', version: null });
  });

  it('maps the CyberSecEval parts with the suite number as version, and the CyberMetric and SecQA sets', () => {
    expect(benchmarkOf('inspect_evals/cyse2_vulnerability_exploit')).toEqual({ benchmark: 'CyberSecEval Vulnerability Exploit', version: '2' });
    expect(benchmarkOf('cyse2_interpreter_abuse')).toEqual({ benchmark: 'CyberSecEval Interpreter Abuse', version: '2' });
    expect(benchmarkOf('cyse2_prompt_injection')).toEqual({ benchmark: 'CyberSecEval Prompt Injection', version: '2' });
    expect(benchmarkOf('cyse3_visual_prompt_injection')).toEqual({ benchmark: 'CyberSecEval Visual Prompt Injection', version: '3' });
    expect(benchmarkOf('cyse4_mitre_frr')).toEqual({ benchmark: 'CyberSecEval MITRE FRR', version: '4' });
    expect(benchmarkOf('cybermetric_80')).toEqual({ benchmark: 'CyberMetric-80', version: null });
    expect(benchmarkOf('inspect_evals/cybermetric_10000')).toEqual({ benchmark: 'CyberMetric-10000', version: null });
    expect(benchmarkOf('sec_qa_v1')).toEqual({ benchmark: 'SecQA', version: '1' });
    expect(benchmarkOf('sec_qa_v2_5_shot')).toEqual({ benchmark: 'SecQA (5-shot)', version: '2' });
  });

  it('keeps an unknown task name as the benchmark; null only for no name', () => {
    expect(benchmarkOf('acme_evals/red_team_ctf')).toEqual({ benchmark: 'acme_evals/red_team_ctf', version: null });
    expect(benchmarkOf('  ')).toBeNull();
  });
});
