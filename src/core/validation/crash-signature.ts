// Crash signatures: what a crashed program printed on stderr, reduced to the crash type and the top three
// meaningful frames the way ClusterFuzz computes "crash type" and "crash state"
// (google/clusterfuzz src/clusterfuzz/stacktraces/__init__.py and constants.py). Two PoCs that hit the same bug
// share a signature; validation compares signatures, never raw stack traces, because addresses, pids, line
// numbers and allocator frames differ from run to run.
//
// Pure: no I/O, and total (never throws): the text is whatever a sandboxed, possibly hostile program wrote.
//
// Deliberate differences from ClusterFuzz, each for stable keys on plain C programs:
// - Short words ClusterFuzz ignores as prefixes (`^main`, `^free`, `^new`, `^New`, `^delete`) are ignored only as
//   whole names, so `main_loop`, `free_list_pop` and `new_node` stay meaningful.
// - Frames come from the first stack after the crash line only; ClusterFuzz would borrow frames from the
//   "freed by" stack when the first one has none left after ignoring.
// - A stack-overflow cycle is rotated to its smallest rotation: mutual recursion a→b→a overflows in a or in b
//   depending on the input, and both must give one key.
// - Template arguments, gcc clone suffixes (`.part.0`, `.isra.0`, `.cold`) and offsets are stripped.
// - Unsymbolized frames `(/path/prog+0x1234)` become the module's base name (ClusterFuzz keeps the path, then
//   drops the offset), and runtime libraries (libc, libasan, libstdc++, ...) are ignored as modules too.

export type CrashSanitizer = 'address' | 'undefined' | 'memory' | 'leak' | 'signal' | 'none';
export type CrashAccess = 'READ' | 'WRITE';

export interface CrashSignature {
  /** ClusterFuzz crash type without the access line: `Heap-buffer-overflow`, `Null-dereference`, `UNKNOWN`, `Segv`. */
  crashType: string;
  access?: CrashAccess;
  /** Bytes accessed, as reported; `signatureKey` writes sizes above 16 as `{*}` like ClusterFuzz. */
  accessSize?: number;
  /** Up to three normalized function names, innermost first; empty when nothing meaningful was symbolized. */
  frames: string[];
  sanitizer: CrashSanitizer;
}

export interface CrashExit {
  /** Node's `signal` of the exited child, e.g. `SIGSEGV`; null or absent when it exited normally. */
  exitSignal?: string | null;
  /** Exit status; 128+N (what a wrapping shell reports for a death by signal N) counts as that signal. */
  exitCode?: number | null;
}

/** ClusterFuzz MAX_CRASH_STATE_FRAMES. */
const maxFrames = 3;
/** ClusterFuzz LINE_LENGTH_CAP. */
const frameLengthCap = 80;
/** Addresses below one page are null dereferences (ClusterFuzz NULL_DEREFERENCE_BOUNDARY). */
const nullBoundary = 0x1000;
/** ClusterFuzz skips lines over 1 MiB; regexes see at most this much of a line so none can run away. */
const lineCap = 8192;
/** Stack-overflow cycle search bounds (ClusterFuzz MAX_CYCLE_LENGTH, REPEATED_CYCLE_COUNT). */
const maxCycleLength = 10;
const cycleRepeats = 3;
/** Frames kept per stack: enough for cycle detection, bounded against endless traces. */
const maxRawFrames = 512;

// ---------------------------------------------------------------------------------------------------------------
// Public API

/**
 * Parses sanitizer or signal output into a signature; null when no crash is seen (clean exit, ordinary error
 * exit, or a kill such as SIGKILL from a timeout, which says nothing about a bug).
 */
export function parseCrash(stderr: string | Uint8Array, opts: CrashExit = {}): CrashSignature | null {
  try {
    const text = typeof stderr === 'string' ? stderr : stderr instanceof Uint8Array ? Buffer.from(stderr).toString('utf8') : '';
    const exit = opts ?? {};
    const report = scanReport(text);
    // Text alone (an assertion message) is no crash when the exit status says the program ended normally.
    if (report.type !== '' && (report.sanitizer !== 'none' || !exitKnown(exit) || signalCrash(exit))) return finish(report);
    return signalCrash(exit);
  } catch {
    // A parser bug must not turn hostile output into an exception; treat it as unreadable.
    return signalCrash(opts ?? {});
  }
}

/** `Heap-buffer-overflow READ 4`, `Null-dereference READ`, `Stack-overflow`: ClusterFuzz's crash type on one line. */
export function crashTypeLine(sig: CrashSignature): string {
  let s = sig.crashType;
  if (sig.access) s += ` ${sig.access}`;
  if (sig.accessSize !== undefined) s += ` ${sig.accessSize > 16 ? '{*}' : sig.accessSize}`;
  return s;
}

/**
 * A stable key: crash type line, then the frames, joined by `|` (a `|` or `%` inside a name is percent-escaped),
 * e.g. `Heap-buffer-overflow READ 4|parse_header|read_file|load_config`. Equal keys mean the same bug as
 * ClusterFuzz groups them (same type and state).
 */
export function signatureKey(sig: CrashSignature): string {
  return [crashTypeLine(sig), ...sig.frames.map((f) => f.replace(/%/g, '%25').replace(/\|/g, '%7C'))].join('|');
}

/**
 * Same bug as ClusterFuzz's reproduction check judges it: the same crash type (access kind and size may differ:
 * one overflow can read 1 byte with one input and 8 with another) and similar states by CrashComparer (equal, or
 * at least two frames in common in order, or lines on average more than 80% alike).
 */
export function sameCrash(a: CrashSignature, b: CrashSignature): boolean {
  return a.crashType === b.crashType && similarStates(a.frames, b.frames);
}

// ---------------------------------------------------------------------------------------------------------------
// Scanning

interface Report {
  /** '' until a crash line is seen. */
  type: string;
  access?: CrashAccess;
  size?: number;
  address?: number;
  sanitizer: CrashSanitizer;
  /** Lines that lead the state before frames (ASSERT message). */
  lead: string[];
  frames: string[];
  lastFrameId: number;
  stackDone: boolean;
}

function emptyReport(): Report {
  return { type: '', sanitizer: 'none', lead: [], frames: [], lastFrameId: -1, stackDone: false };
}

function scanReport(text: string): Report {
  let r = emptyReport();
  for (const full of text.split(/\r?\n|\r/)) {
    if (full.length > 1024 * 1024 || ignoredLine(full)) continue;
    const line = full.length > lineCap ? full.slice(0, lineCap) : full;
    const next = headerReport(line, r);
    if (next) {
      r = next;
      continue;
    }
    if (r.type === '') continue;
    if (accessLine(line, r) || stopMarker(line, r)) continue;
    frameLine(line, r);
  }
  return r;
}

/** ClusterFuzz should_ignore_line_for_crash_processing: summaries, ASan warnings, DEADLYSIGNAL banners. */
function ignoredLine(line: string): boolean {
  return line.includes('SUMMARY:') || line.includes('WARNING: AddressSanitizer') || deadlySignal.test(line);
}

const deadlySignal = /^(?:Address|Leak|Memory|UndefinedBehavior|Thread)Sanitizer:DEADLYSIGNAL/;

/** A new crash line: returns the fresh report it starts, or null when the line starts none. */
function headerReport(line: string, cur: Report): Report | null {
  if (/ERROR.*Sanitizer failed to allocate/.test(line)) return started('Out-of-memory', 'address');
  const san = sanitizerLine.exec(line);
  if (san) return sanitizerReport(san[1] ?? '', (san[2] ?? '').trim(), cur);
  const leak = leakLine.exec(line);
  if (leak) {
    const direct = leak[1] === 'Direct';
    // Direct leaks outrank indirect ones; the first direct leak names the bug (later ones are other objects).
    if (cur.type === '' || (direct && cur.type === 'Indirect-leak')) return started(direct ? 'Direct-leak' : 'Indirect-leak', 'leak');
    return null;
  }
  const ub = ubsanLine.exec(line);
  if (ub && cur.type === '') return ubsanReport(ub[1] ?? '');
  const assertion = glibcAssert.exec(line);
  if (assertion) {
    const r = started('ASSERT', 'none');
    r.lead = [assertion[1] ?? ''];
    return r;
  }
  return null;
}

function started(type: string, sanitizer: CrashSanitizer): Report {
  return { ...emptyReport(), type, sanitizer };
}

const sanitizerLine = /(?:ERROR|WARNING): (HWAddressSanitizer|AddressSanitizer|LeakSanitizer|MemorySanitizer|UndefinedBehaviorSanitizer): (.*)$/;
const leakLine = /^\s*(Direct|Indirect) leak of /;
// `file.c:12:3: runtime error: ...`; the location keeps ordinary "runtime error" prose (Go panics, logs) out.
const ubsanLine = /(?:^|\s)(?:\S+:\d+(?::\d+)?|<unknown>): runtime error: (.*)$/;
// glibc: `prog: file.c:12: func: Assertion `n < 4' failed.`
const glibcAssert = /:\s*[Aa]ssertion [`'"]?(.*?)[`'"]? failed\.?\s*$/;

const sanitizerKind: Record<string, CrashSanitizer> = {
  AddressSanitizer: 'address',
  HWAddressSanitizer: 'address',
  LeakSanitizer: 'leak',
  MemorySanitizer: 'memory',
  UndefinedBehaviorSanitizer: 'undefined',
};

/** `ERROR: AddressSanitizer: <rest>` → the report it starts (types as ClusterFuzz names them). */
function sanitizerReport(name: string, rest: string, cur: Report): Report | null {
  const kind = sanitizerKind[name] ?? 'address';
  // The leak header carries no type (the `Direct leak of` lines after it do) and must not erase an earlier
  // non-fatal report: ClusterFuzz lets a leak name the crash only when nothing else did.
  if (/^detected memory leaks/.test(rest)) return null;
  const segv = /^(?:SEGV|access-violation) on unknown address(?:\s+(0x[0-9a-fA-F]+|[0-9a-fA-F]+)\b)?/.exec(rest);
  if (segv) {
    // Without an address (non-canonical pointers) ClusterFuzz's generic rule yields this label.
    if (!segv[1]) return started('Segv on unknown address', kind);
    const r = started('UNKNOWN', kind);
    r.address = hexValue(segv[1]);
    return r;
  }
  const type = sanitizerType(rest);
  // An abort after an assertion is the assertion's consequence (ClusterFuzz IGNORE_CRASH_TYPES_FOR_ABRT...).
  if (cur.type === 'ASSERT' && /^(?:Abrt|Ill|Trap|Breakpoint)$/.test(type)) return null;
  const r = started(type, kind);
  const addr = /\son (?:unknown address |address |)(0x[0-9a-fA-F]+)/.exec(rest);
  if (addr?.[1]) r.address = hexValue(addr[1]);
  return r;
}

function sanitizerType(rest: string): string {
  if (/^attempting double-free/.test(rest)) return 'Heap-double-free';
  if (/^attempting free on address which was not malloc\(\)-ed/.test(rest)) return 'Invalid-free';
  if (/^memcpy-param-overlap/.test(rest)) return 'Memcpy-param-overlap';
  if (outOfMemory.test(rest)) return 'Out-of-memory';
  if (/^FPE\b/.test(rest)) return 'Floating-point-exception';
  if (/^illegal-instruction/.test(rest)) return 'Ill';
  // SAN_ADDR_REGEX: `<type> on [unknown address |address ]0x...`, else ASAN_REGEX: up to `(`, `:` or `;`.
  const onAddr = /^(.*?) on (?:unknown address |address |)(?:0x)?[0-9a-fA-F]+\b/.exec(rest);
  const raw = onAddr?.[1] ?? /^([^(:;]*)/.exec(rest)?.[1] ?? '';
  const type = fixSanitizerType(raw);
  return type === '' || type === 'Unknown-crash' ? 'UNKNOWN' : type;
}

const outOfMemory = /allocation-size-too-big|calloc-overflow|calloc parameters overflow|requested allocation size .*exceeds maximum supported size|out of memory|failed to allocate|rss limit exhausted/;

/** ClusterFuzz fix_sanitizer_crash_type: lower case, `_` → `-`, first letter up; generic divide-by-zero. */
function fixSanitizerType(raw: string): string {
  const s = raw.trim().toLowerCase().replace(/_/g, '-');
  const cap = s.charAt(0).toUpperCase() + s.slice(1);
  return cap.replace('Int-divide-by-zero', 'Divide-by-zero');
}

/** ClusterFuzz UBSAN_CRASH_TYPES_MAP, in its order (supersets last). */
const ubsanTypes: Array<[RegExp, string, CrashAccess?]> = [
  [/division by zero/, 'Divide-by-zero'],
  [/outside the range of representable values/, 'Float-cast-overflow'],
  [/implicit conversion from type/, 'Implicit-conversion'],
  [/call to function \S+ through pointer to incorrect function type/, 'Incorrect-function-pointer-type'],
  [/out of bounds for type/, 'Index-out-of-bounds'],
  [/not a valid value for type '(?:bool|BOOL)'/, 'Invalid-bool-value'],
  [/, which is not a valid argument/, 'Invalid-builtin-use'],
  [/misaligned address/, 'Misaligned-address'],
  [/reached the end of a value-returning function/, 'No-return-value'],
  [/null pointer passed as .*, which is declared to never be null/, 'Invalid-null-argument'],
  [/load of null pointer/, 'Null-dereference', 'READ'],
  [/(?:binding to|access within|call on) null pointer/, 'Null-dereference'],
  [/store to null pointer/, 'Null-dereference', 'WRITE'],
  [/address .* with insufficient space for an object of type/, 'Object-size'],
  [/(?:addition|subtraction) of unsigned offset |pointer index expression with base |applying non-zero offset [0-9]+ to null pointer|applying zero offset to null pointer/, 'Pointer-overflow'],
  [/null pointer returned from function declared to never return null/, 'Invalid-null-return'],
  [/shift/, 'Undefined-shift'],
  [/execution reached an unreachable program point/, 'Unreachable code'],
  [/unsigned integer overflow/, 'Unsigned-integer-overflow'],
  [/variable length array bound evaluates to non-positive value/, 'Non-positive-vla-bound-value'],
  [/(?:member access within|member call on|downcast of) address .* which does not point to an object of type/, 'Bad-cast'],
  [/not a valid value for type/, 'Invalid-enum-value'],
  [/integer overflow|(?:negation|division) of.*cannot be represented in type/, 'Integer-overflow'],
];

function ubsanReport(reason: string): Report {
  for (const [re, type, access] of ubsanTypes) {
    if (!re.test(reason)) continue;
    const r = started(type, 'undefined');
    if (access) r.access = access;
    return r;
  }
  return started('UNKNOWN', 'undefined');
}

/** `READ of size 4 at ...` (typed crashes) or `The signal is caused by a WRITE memory access.` (SEGV). */
function accessLine(line: string, r: Report): boolean {
  const sized = /^\s*(?:Atomic )?(READ|WRITE) of size (\d+) at /.exec(line);
  if (sized) {
    if (r.type !== 'UNKNOWN' && r.access === undefined) {
      r.access = sized[1] as CrashAccess;
      r.size = Number(sized[2]);
    }
    return true;
  }
  const signal = /The signal is caused by a (READ|WRITE|UNKNOWN) memory access/.exec(line);
  if (signal) {
    if (r.type === 'UNKNOWN' && signal[1] !== 'UNKNOWN') r.access = signal[1] as CrashAccess;
    return true;
  }
  return false;
}

/** ClusterFuzz STATE_STOP_MARKERS plus the other ASan section headings: frames after them describe history. */
const stopMarkers = [
  'Direct leak of',
  'Uninitialized value was stored to memory at',
  'Uninitialized value was created by',
  'allocated by thread',
  'created by main thread at',
  'located in stack of thread',
  'previously allocated by',
  'freed by thread',
  'Shadow bytes around the buggy address',
];

function stopMarker(line: string, r: Report): boolean {
  if (!stopMarkers.some((m) => line.includes(m))) return false;
  if (r.lastFrameId >= 0) r.stackDone = true;
  return true;
}

// ---------------------------------------------------------------------------------------------------------------
// Frames

/** `    #3 0x55d4a6cd8469 in name file:line[:col]` | `... in name (module+0x12)` | `...  (module+0x12)`. */
const frameRe = /^\s*#(\d+)\s+(?:0[xX])?[0-9a-fA-F]+\s+(.*)$/;

interface RawFrame {
  fn: string | null;
  file: string | null;
  module: string | null;
}

function frameLine(line: string, r: Report): void {
  const m = frameRe.exec(line);
  if (!m) return;
  const id = Number(m[1]);
  // Frame #0 again means the next stack (another thread, or a second report section): the first one is done.
  if (id <= r.lastFrameId) r.stackDone = true;
  r.lastFrameId = id;
  if (r.stackDone || r.frames.length >= maxRawFrames) return;
  const name = meaningfulFrame(splitFrame(m[2] ?? ''));
  if (name !== null) r.frames.push(name);
}

function splitFrame(body: string): RawFrame {
  const rest = body.replace(/\s*\(BuildId: [0-9a-fA-F]+\)\s*$/, '').trim();
  if (rest.startsWith('(') && rest.endsWith(')')) return { fn: null, file: null, module: rest.slice(1, -1) };
  if (!rest.startsWith('in ')) return { fn: null, file: null, module: null };
  const inner = rest.slice(3).trim();
  const withFile = /^(.*?) ((?:[^ ]+):\d+(?::\d+)?)$/.exec(inner);
  if (withFile) return { fn: withFile[1] ?? '', file: (withFile[2] ?? '').replace(/:\d+(?::\d+)?$/, ''), module: null };
  const withModule = /^(.*) \(([^()]*)\)$/.exec(inner);
  if (withModule) return { fn: withModule[1] ?? '', file: null, module: withModule[2] ?? '' };
  return { fn: inner, file: null, module: null };
}

/** The normalized name of a frame, or null when ClusterFuzz would ignore it. */
function meaningfulFrame(f: RawFrame): string | null {
  if (f.module !== null && ignoredModule(f.module)) return null;
  if (f.file !== null && ignoredPath.test(f.file)) return null;
  if (f.fn === null) return f.module === null ? null : moduleName(f.module);
  let fn = f.fn.replace(/\+0[xX][0-9a-fA-F]+$/, '').trim();
  // libFuzzer's entry point says nothing; the fuzz target's file name does (llvm_test_one_input_override).
  if (fn.startsWith('LLVMFuzzerTestOneInput') && f.file) fn = fn.replace('LLVMFuzzerTestOneInput', baseName(f.file));
  if (fn.length < 3 || ignoredFunction(fn)) return null;
  const name = normalizeFrameName(fn);
  return name.length < 3 || ignoredFunction(name) ? null : name;
}

function moduleName(module: string): string | null {
  const name = baseName(module.replace(/\+0[xX][0-9a-fA-F]+$/, ''));
  return name.length < 3 ? null : name.slice(0, frameLengthCap);
}

function baseName(path: string): string {
  const p = path.replace(/\\/g, '/');
  return p.slice(p.lastIndexOf('/') + 1);
}

function ignoredModule(module: string): boolean {
  return ignoredModuleName.test(baseName(module.replace(/\+0[xX][0-9a-fA-F]+$/, '').trim()));
}

const ignoredModuleName =
  /^(?:(?:libc|libm|libdl|librt|libpthread|libutil|libresolv|libstdc\+\+|libc\+\+|libc\+\+abi|libc\+\+_shared|libgcc_s|libasan|libhwasan|libubsan|liblsan|libmsan|libtsan|libclang_rt\.[\w.-]+|ld-linux[\w.-]*|ld)(?:-[\d.]+)?\.so(?:\.[\d.]+)?|\[vdso\]|linux-vdso\.so[\d.]*|linux-gate\.so[\d.]*|libclang_rt\.[\w.-]+\.dylib|libsystem_\w+\.dylib)$/;

/** ClusterFuzz's file-path ignores, plus glibc's and gcc's source trees as Debian's symbols name them. */
const ignoredPath =
  /(?:^|\/)(?:sysdeps|csu|libsanitizer|sanitizer_common|compiler-rt\/lib|crosstool|jemalloc|tcmalloc|llvm-build|gcc|libc|AOSP-toolchain|win_toolchain)\/|\/glibc-|libc\+\+\/|^\/rustc?\/|\/memorycmp\.c$|\/bindings\/ToV8\.h$/;

function ignoredFunction(fn: string): boolean {
  return ignoredFunctionRe.test(fn);
}

// ClusterFuzz STACK_FRAME_IGNORE_REGEXES, the C, C++, Rust, Go and sanitizer parts (browser and kernel internals
// left out), with glibc internals it misses (`_int_free`, thread start, signal trampoline).
const ignoredFunctionRe = new RegExp(
  [
    // whole names
    '^(?:abort|exit|main|free|new|New|delete|raise|tgkill|gsignal|panic|pthread_create|pthread_kill|__chk_fail|__fortify_fail|start_thread|clone3?|__restore_rt|<unknown>|\\[vdso\\])(?![\\w$])',
    // names starting so
    '^(?:__)?(?:aeabi_|memcmp|memcpy|memmove|memset|strcmp|strcpy|strdup|strlen|strncpy)',
    '^(?:<null>|Abort\\(|CFCrash|ExitCallback|LLVMFuzzerTestOneInput|MSanAtExitWrapper|RaiseException|SignalAction|SignalHandler|TestOneProtoInput|_L_unlock_|_\\$LT\\$)',
    '^(?:__GI_|__asan::|__asan_|__assert_|__cxa_atexit|__cxa_rethrow|__cxa_throw|__dump_stack|__hwasan::|__hwasan_|_*interceptor_|__libc_|__lsan::|__lsan_|__msan::|__msan_|__pthread_kill|__run_exit_handlers|__rust_try|__rust_start_panic|__sanitizer::|__sanitizer_|__tsan::|__tsan_|__ubsan::|__ubsan_|__scrt_common_main_seh)',
    '^(?:_asan_|_hwasan_|_lsan_|_msan_|_objc_terminate|_sanitizer_|_start|_tsan_|_ubsan_|_int_(?:free|malloc|realloc|memalign))',
    '^(?:abort|alloc::|asan_|asan\\.module_[cd]tor|calloc|check_memory_region|common_exit|core::fmt::write|demangling_terminate_handler|exit_or_terminate_process|fpehandler\\(|fuzzer::|generic_cpp_|libfuzzer_sys::initialize|malloc|mozalloc_|operator|panic_abort::|realloc|rust_begin_unwind|rust_fuzzer_test_input|rust_oom|rust_panic|scanf)',
    '^(?:std::__terminate|std::io::Write::write_fmt|std::panic|std::process::abort|std::sys::unix::abort|std::sys_common::backtrace|libgcc_s\\.so|runtime\\.|_swift_stdlib_|V8_Fatal|absl::log_internal::)',
    // names containing
    '(?:ASAN_OnSIGSEGV|DebugBreak|ForceCrashOnSigAbort|StackDumpSignalHandler|__android_log_assert|_asan_rtl_|agent::asan::|allocator_shim|asan_Heap|asan_check_access|assert|base::allocator|ieee754-|libpthread|logger|fuzztest::internal::|\\+Unknown|<unknown module>|Inline Function @)',
  ].join('|'),
);

/**
 * ClusterFuzz _filter_stack_frame and filter_addresses_and_numbers, plus template arguments and compiler clone
 * suffixes: `ns::Foo<int>::bar(char const*) const` → `ns::Foo::bar`, `parse.part.0` → `parse`.
 */
export function normalizeFrameName(raw: string): string {
  let s = raw.replace(/non-virtual thunk to |\(anonymous namespace\)::|`anonymous namespace'::/g, '');
  s = s.replace(/^[\w.+-]+!(?=\S)/, ''); // Windows `module!function`; `operator!=` keeps its `!`
  s = stripCallSyntax(s);
  s = s.replace(/(?:\.(?:part|isra|constprop|cold|lto_priv|localalias|clone|llvm)(?:\.\d+)*)+$/, '');
  s = s.replace(/::h[0-9a-f]{16}$/, ''); // Rust symbol hash
  s = s.replace(/0x[a-fA-F0-9]{4,}U*/g, 'ADDRESS');
  s = s.replace(/(?<![:0-9.])(?:[0-9.]{4,}|(?<=[@#])[0-9]+)(?![A-Za-z0-9.])/g, 'NUMBER');
  s = s.replace(/[^\x20-\x7e]/g, '').trim();
  return s.slice(0, frameLengthCap);
}

/** Drops the argument list and template arguments; keeps `operator<<`, `operator()` and lambda braces whole. */
function stripCallSyntax(name: string): string {
  let out = '';
  let depth = 0;
  let cut = false;
  for (let i = 0; i < name.length; i++) {
    const c = name[i] ?? '';
    if (depth === 0) {
      const op = operatorAt(name, i);
      if (op) {
        out += op;
        i += op.length - 1;
        continue;
      }
      if (c === '{') {
        const end = name.indexOf('}', i);
        if (end > i) {
          out += name.slice(i, end + 1);
          i = end;
          continue;
        }
      }
      if ((c === '(' || c === '[') && out.trim() !== '') {
        cut = true;
        break;
      }
    }
    if (c === '<') depth++;
    else if (c === '>' && depth > 0) depth--;
    else if (depth === 0) out += c;
  }
  out = out.replace(/\s+/g, ' ').trim();
  if (!out.includes(' ') || /\boperator\b/.test(out)) return out;
  // Before an argument list a space ends a return type (`void ns::f<int>(...)`); without one, anything after
  // a space is a location ClusterFuzz drops (`fn file.cc`).
  const words = out.split(' ');
  return (cut ? words[words.length - 1] : words[0]) ?? '';
}

const operatorSymbols = ['()', '[]', '<=>', '<<=', '>>=', '->*', '->', '<<', '>>', '<=', '>=', '==', '!=', '&&', '||', '++', '--', '+=', '-=', '*=', '/=', '%=', '^=', '&=', '|=', '<', '>', '+', '-', '*', '/', '%', '^', '&', '|', '~', '!', '=', ','];

/** `operator<<` (etc.) starting at i, as written without inner spaces; `operator` alone for new/delete/casts. */
function operatorAt(name: string, i: number): string | null {
  if (!name.startsWith('operator', i) || /[\w$]/.test(name[i - 1] ?? '')) return null;
  let j = i + 'operator'.length;
  if (/[\w$]/.test(name[j] ?? '')) return null; // `operators_table` is a plain name
  while (name[j] === ' ') j++;
  const sym = operatorSymbols.find((o) => name.startsWith(o, j));
  if (sym) return `operator${sym}`;
  return 'operator';
}

// ---------------------------------------------------------------------------------------------------------------
// Finishing

function finish(r: Report): CrashSignature {
  let type = r.type;
  // ClusterFuzz reports SEGVs below one page as null dereferences.
  if (type === 'UNKNOWN' && r.address !== undefined && r.address < nullBoundary) type = 'Null-dereference';
  const frames = type === 'Stack-overflow' ? overflowState(r.frames) : r.frames.slice(0, maxFrames);
  const sig: CrashSignature = {
    crashType: type,
    frames: [...r.lead.map((l) => l.slice(0, frameLengthCap)), ...frames].slice(0, maxFrames),
    sanitizer: r.sanitizer,
  };
  if (r.access) sig.access = r.access;
  if (r.size !== undefined && Number.isFinite(r.size)) sig.accessSize = r.size;
  return sig;
}

/**
 * ClusterFuzz update_crash_state_for_stack_overflow_if_needed: the first cycle of up to 10 frames repeated
 * 3 times is the state, rotated here to its smallest rotation so the entry point into the loop does not matter.
 */
function overflowState(frames: string[]): string[] {
  for (let start = 0; start < frames.length; start++) {
    for (let len = 1; len <= maxCycleLength; len++) {
      if (start + cycleRepeats * len >= frames.length) break;
      const cycle = frames.slice(start, start + len);
      let repeats = true;
      for (let k = 1; k < cycleRepeats && repeats; k++) {
        for (let j = 0; j < len; j++) if (frames[start + k * len + j] !== cycle[j]) repeats = false;
      }
      if (repeats) return smallestRotation(cycle).slice(0, maxFrames);
    }
  }
  return frames.slice(0, maxFrames);
}

function smallestRotation(cycle: string[]): string[] {
  let best = cycle;
  for (let i = 1; i < cycle.length; i++) {
    const rot = [...cycle.slice(i), ...cycle.slice(0, i)];
    if (rot.join('\n') < best.join('\n')) best = rot;
  }
  return best;
}

/** A death by signal with nothing a sanitizer said: the type is the signal, there are no frames. */
function signalCrash(opts: CrashExit): CrashSignature | null {
  const name = signalName(opts);
  const type = name ? signalTypes[name] : undefined;
  return type ? { crashType: type, frames: [], sanitizer: 'signal' } : null;
}

/** Signals that mean the program crashed; SIGKILL, SIGTERM, SIGINT and the like mean it was stopped. */
const signalTypes: Record<string, string> = {
  SEGV: 'Segv',
  ABRT: 'Abrt',
  BUS: 'Bus',
  FPE: 'Floating-point-exception',
  ILL: 'Ill',
  TRAP: 'Trap',
  SYS: 'Sys',
};

const signalNumbers: Record<number, string> = { 4: 'ILL', 5: 'TRAP', 6: 'ABRT', 7: 'BUS', 8: 'FPE', 11: 'SEGV', 31: 'SYS' };

function signalName(opts: CrashExit): string | null {
  if (typeof opts.exitSignal === 'string' && opts.exitSignal !== '') {
    const s = opts.exitSignal.trim().toUpperCase().replace(/^SIG/, '');
    return /^\d+$/.test(s) ? (signalNumbers[Number(s)] ?? null) : s;
  }
  const code = opts.exitCode;
  if (typeof code === 'number' && Number.isInteger(code) && code > 128 && code < 128 + 65) return signalNumbers[code - 128] ?? null;
  return null;
}

function exitKnown(opts: CrashExit): boolean {
  return (typeof opts.exitSignal === 'string' && opts.exitSignal !== '') || typeof opts.exitCode === 'number';
}

function hexValue(s: string): number {
  const n = Number.parseInt(s.replace(/^0[xX]/, ''), 16);
  return Number.isFinite(n) ? n : Number.POSITIVE_INFINITY;
}

// ---------------------------------------------------------------------------------------------------------------
// Comparison (ClusterFuzz crash_comparer.CrashComparer)

const compareThreshold = 0.8;
const sameFramesThreshold = 2;

function similarStates(a: string[], b: string[]): boolean {
  // An empty state is ClusterFuzz's 'NULL': equal to another 'NULL', unlike anything else.
  if (a.length === 0 || b.length === 0) return a.length === b.length;
  if (a.length === b.length && a.every((f, i) => f === b[i])) return true;
  if (longestCommonSubsequence(a, b) >= sameFramesThreshold) return true;
  const n = Math.min(a.length, b.length);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += similarityRatio(a[i] ?? '', b[i] ?? '');
  return sum / n > compareThreshold;
}

function longestCommonSubsequence(a: string[], b: string[]): number {
  let prev = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    const row = new Array<number>(b.length + 1).fill(0);
    for (let j = 1; j <= b.length; j++) {
      row[j] = a[i - 1] === b[j - 1] ? (prev[j - 1] ?? 0) + 1 : Math.max(prev[j] ?? 0, row[j - 1] ?? 0);
    }
    prev = row;
  }
  return prev[b.length] ?? 0;
}

function similarityRatio(a: string, b: string): number {
  const total = a.length + b.length;
  return total === 0 ? 1 : (total - levenshtein(a, b)) / total;
}

function levenshtein(a: string, b: string): number {
  if (a === b) return 0;
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 0; i < a.length; i++) {
    const row = [i + 1];
    for (let j = 0; j < b.length; j++) {
      const cost = a[i] === b[j] ? 0 : 1;
      row.push(Math.min((row[j] ?? 0) + 1, (prev[j + 1] ?? 0) + 1, (prev[j] ?? 0) + cost));
    }
    prev = row;
  }
  return prev[b.length] ?? 0;
}
