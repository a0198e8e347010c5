import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CrashSignature, crashTypeLine, normalizeFrameName, parseCrash, sameCrash, signatureKey } from '../../src/core/validation/crash-signature.js';
import { asanOptions, fixturesDir, makePlantedRepo, plantedPrograms, plantedRepoBug, sanitizerFlags } from '../support/planted-repo.js';

const run = promisify(execFile);

function key(stderr: string, opts?: Parameters<typeof parseCrash>[1]): string | null {
  const sig = parseCrash(stderr, opts);
  return sig && signatureKey(sig);
}

// Reports below follow what gcc 12 / clang 14-18 sanitizers print on x86-64 Linux (pids, addresses and paths
// made up); the first is verbatim in shape from the heap-overflow fixture built here.
const gccHeapOverflow = `=================================================================
==6327==ERROR: AddressSanitizer: heap-buffer-overflow on address 0x60200000002c at pc 0x56406b447285 bp 0x7fff9582a510 sp 0x7fff9582a508
READ of size 4 at 0x60200000002c thread T0
    #0 0x56406b447284 in parse_header /home/dev/hdr/hdr.c:41
    #1 0x56406b44738a in read_file /home/dev/hdr/hdr.c:77
    #2 0x56406b4473c1 in load_config /home/dev/hdr/hdr.c:90
    #3 0x56406b44741e in main /home/dev/hdr/hdr.c:102
    #4 0x7f8179645249 in __libc_start_call_main ../sysdeps/nptl/libc_start_call_main.h:58
    #5 0x7f8179645304 in __libc_start_main_impl ../csu/libc-start.c:360
    #6 0x56406b447130 in _start (/home/dev/hdr/hdr+0x1130)

0x60200000002c is located 12 bytes to the right of 16-byte region [0x602000000010,0x602000000020)
allocated by thread T0 here:
    #0 0x7f81798b89cf in __interceptor_malloc ../../../../src/libsanitizer/asan/asan_malloc_linux.cpp:69
    #1 0x56406b447212 in alloc_header /home/dev/hdr/hdr.c:30
    #2 0x56406b44738a in read_file /home/dev/hdr/hdr.c:75

SUMMARY: AddressSanitizer: heap-buffer-overflow /home/dev/hdr/hdr.c:41 in parse_header
Shadow bytes around the buggy address:
  0x0c047fff7ff0: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
=>0x0c047fff8000: fa fa 00 00 fa[fa]fa fa fa fa fa fa fa fa fa fa
Shadow byte legend (one shadow byte represents 8 application bytes):
  Addressable:           00
  Heap left redzone:       fa
==6327==ABORTING
`;

// clang + libFuzzer: columns, BuildId, the fuzz target's entry point named after its file (as ClusterFuzz does).
const clangFuzzerOverflow = `INFO: Running with entropic power schedule (0xFF, 100).
INFO: Seed: 3263014071
=================================================================
==151==ERROR: AddressSanitizer: heap-buffer-overflow on address 0x60200000008f at pc 0x00000055eb0d bp 0x7ffdd3567450 sp 0x7ffdd3567448
READ of size 1 at 0x60200000008f thread T0
SCARINESS: 12 (1-byte-read-heap-buffer-overflow)
    #0 0x55eb0c in LLVMFuzzerTestOneInput /src/proj/tests/fuzz/fuzz_base64_decode.cc:24:9
    #1 0x456e33 in fuzzer::Fuzzer::ExecuteCallback(unsigned char const*, unsigned long) /src/llvm-project/compiler-rt/lib/fuzzer/FuzzerLoop.cpp:611:15
    #2 0x4581d4 in fuzzer::Fuzzer::RunOne(unsigned char const*, unsigned long, bool, fuzzer::InputInfo*, bool, bool*) /src/llvm-project/compiler-rt/lib/fuzzer/FuzzerLoop.cpp:514:3
    #3 0x4480df in fuzzer::FuzzerDriver(int*, char***, int (*)(unsigned char const*, unsigned long)) /src/llvm-project/compiler-rt/lib/fuzzer/FuzzerDriver.cpp:767:6
    #4 0x471232 in main /src/llvm-project/compiler-rt/lib/fuzzer/FuzzerMain.cpp:20:10
    #5 0x7f6f7f2fb0b2 in __libc_start_main (/lib/x86_64-linux-gnu/libc.so.6+0x270b2) (BuildId: 87b331c034a6458c64ce09c03939e947212e18ce)
    #6 0x41f87d in _start (/out/fuzz_base64_decode+0x41f87d)

DEDUP_TOKEN: LLVMFuzzerTestOneInput--fuzzer::Fuzzer::ExecuteCallback(unsigned char const*, unsigned long)--
0x60200000008f is located 0 bytes to the right of 15-byte region [0x602000000080,0x60200000008f)
`;

const cppOverflow = `==88==ERROR: AddressSanitizer: heap-buffer-overflow on address 0x6040000000b8 at pc 0x5581c2 bp 0x7ffc3afd8830 sp 0x7ffc3afd8820
WRITE of size 8 at 0x6040000000b8 thread T0
    #0 0x5581c1 in void std::vector<long, std::allocator<long> >::_M_fill_assign<long>(unsigned long, long const&) /usr/include/c++/12/bits/vector.tcc:271:4
    #1 0x5582a0 in (anonymous namespace)::Decoder<8>::decode_block(unsigned char const*, unsigned long) const /src/codec/decoder.cc:118:11
    #2 0x558411 in codec::Stream::operator<<(codec::Chunk const&) /src/codec/stream.cc:40:3
    #3 0x558502 in codec::read_all(std::basic_istream<char, std::char_traits<char> >&) [clone .constprop.0] /src/codec/stream.cc:77:9
    #4 0x558600 in main /src/codec/main.cc:12:3

0x6040000000b8 is located 0 bytes to the right of 40-byte region [0x604000000090,0x6040000000b8)
allocated by thread T0 here:
    #0 0x7f68afd42532 in operator new(unsigned long) (/usr/lib/x86_64-linux-gnu/libasan.so.8+0xdb532)
`;

const uafInMain = `=================================================================
==6443==ERROR: AddressSanitizer: heap-use-after-free on address 0x602000000014 at pc 0x5647c571ea02 bp 0x7ffd4a0b3d90 sp 0x7ffd4a0b3d88
WRITE of size 8 at 0x602000000014 thread T0
    #0 0x5647c571ea01 in main /tmp/u.c:11
    #1 0x7f388be45249 in __libc_start_call_main ../sysdeps/nptl/libc_start_call_main.h:58
    #2 0x7f388be45304 in __libc_start_main_impl ../csu/libc-start.c:360
    #3 0x5647c571e190 in _start (/tmp/u+0x2190)

0x602000000014 is located 4 bytes inside of 8-byte region [0x602000000010,0x602000000018)
freed by thread T0 here:
    #0 0x7f388c8b76a8 in __interceptor_free ../../../../src/libsanitizer/asan/asan_malloc_linux.cpp:52
    #1 0x5647c571e96b in release_buffer /tmp/u.c:7
    #2 0x5647c571e9ab in main /tmp/u.c:10

previously allocated by thread T0 here:
    #0 0x7f388c8b89cf in __interceptor_malloc ../../../../src/libsanitizer/asan/asan_malloc_linux.cpp:69
    #1 0x5647c571e955 in main /tmp/u.c:9
`;

const doubleFree = `=================================================================
==6446==ERROR: AddressSanitizer: attempting double-free on 0x602000000010 in thread T0:
    #0 0x7f2a95ab76a8 in __interceptor_free ../../../../src/libsanitizer/asan/asan_malloc_linux.cpp:52
    #1 0x55ffce217b12 in destroy_list /src/list.c:88
    #2 0x55ffce217c40 in list_reset /src/list.c:120
    #3 0x55ffce217d01 in main /src/main.c:33
    #4 0x7f2a95045249 in __libc_start_call_main ../sysdeps/nptl/libc_start_call_main.h:58

0x602000000010 is located 0 bytes inside of 8-byte region [0x602000000010,0x602000000018)
freed by thread T0 here:
    #0 0x7f2a95ab76a8 in __interceptor_free ../../../../src/libsanitizer/asan/asan_malloc_linux.cpp:52
    #1 0x55ffce217b03 in pop_item /src/list.c:61
SUMMARY: AddressSanitizer: double-free ../../../../src/libsanitizer/asan/asan_malloc_linux.cpp:52 in __interceptor_free
`;

function segv(address: string | null, access: string): string {
  return `AddressSanitizer:DEADLYSIGNAL
=================================================================
==6437==ERROR: AddressSanitizer: SEGV on unknown address ${address ? `${address} ` : ''}(pc 0x55e7db33e332 bp 0x7ffeb83fcb60 sp 0x7ffeb83fcb40 T0)
==6437==The signal is caused by a ${access} memory access.
==6437==Hint: address points to the zero page.
    #0 0x55e7db33e332 in lookup_entry /src/table.c:51:12
    #1 0x55e7db33e709 in table_get /src/table.c:80:10
    #2 0x55e7db33e7aa in handle_request /src/server.c:211:7
    #3 0x55e7db33e800 in main /src/server.c:300:3
    #4 0x7fc9f7a45249 in __libc_start_call_main ../sysdeps/nptl/libc_start_call_main.h:58

AddressSanitizer can not provide additional info.
SUMMARY: AddressSanitizer: SEGV /src/table.c:51:12 in lookup_entry
==6437==ABORTING
`;
}

/** A stack overflow in mutual recursion a→b→a…, innermost frame first. */
function stackOverflow(top: string[], cycle: string[], depth = 60): string {
  const names = [...top];
  while (names.length < depth) names.push(...cycle);
  const frames = names.slice(0, depth).map((n, i) => `    #${i} 0x55d4a6cd${(0x8000 + i * 16).toString(16)} in ${n} /src/json/parse.c:${100 + (i % 7)}`);
  return `AddressSanitizer:DEADLYSIGNAL
=================================================================
==6440==ERROR: AddressSanitizer: stack-overflow on address 0x7ffe1a463fbc (pc 0x55d4a6cd834e bp 0x7ffe1a464070 sp 0x7ffe1a463fb0 T0)
${frames.join('\n')}

SUMMARY: AddressSanitizer: stack-overflow /src/json/parse.c:100 in ${top[0] ?? cycle[0]}
==6440==ABORTING
`;
}

const ubsanOverflowWithStack = `src/au.c:324:54: runtime error: signed integer overflow: 1684960000 + 779316836 cannot be represented in type 'int'
    #0 0x4c5e21 in au_read_header /src/libsndfile/src/au.c:324:54
    #1 0x4c4a10 in au_open /src/libsndfile/src/au.c:131:15
    #2 0x4b07c2 in psf_open_file /src/libsndfile/src/sndfile.c:3114:13
    #3 0x4b0011 in sf_open_virtual /src/libsndfile/src/sndfile.c:441:9

SUMMARY: UndefinedBehaviorSanitizer: undefined-behavior src/au.c:324:54 in
src/au.c:326:29: runtime error: signed integer overflow: 1684960000 + 779316836 cannot be represented in type 'int'
    #0 0x4c5e99 in au_fix_sizes /src/libsndfile/src/au.c:326:29
SUMMARY: UndefinedBehaviorSanitizer: undefined-behavior src/au.c:326:29 in
`;

const lsan = `
=================================================================
==2834==ERROR: LeakSanitizer: detected memory leaks

Indirect leak of 24 byte(s) in 1 object(s) allocated from:
    #0 0x7f2a95ab89cf in __interceptor_malloc ../../../../src/libsanitizer/asan/asan_malloc_linux.cpp:69
    #1 0x55ffce2170aa in node_new /src/tree.c:12

Direct leak of 64 byte(s) in 1 object(s) allocated from:
    #0 0x7f2a95ab89cf in __interceptor_malloc ../../../../src/libsanitizer/asan/asan_malloc_linux.cpp:69
    #1 0x55ffce2171bb in tree_clone /src/tree.c:40
    #2 0x55ffce2172cc in tree_merge /src/tree.c:71
    #3 0x55ffce2173dd in main /src/main.c:18

Direct leak of 8 byte(s) in 1 object(s) allocated from:
    #0 0x7f2a95ab89cf in __interceptor_malloc ../../../../src/libsanitizer/asan/asan_malloc_linux.cpp:69
    #1 0x55ffce217400 in other_leak /src/other.c:3

SUMMARY: AddressSanitizer: 96 byte(s) leaked in 3 allocation(s).
`;

const msan = `==4501==WARNING: MemorySanitizer: use-of-uninitialized-value
    #0 0x4a1b2c in png_check_chunk /src/png/pngrutil.c:311:9
    #1 0x4a2c3d in png_read_info /src/png/pngread.c:104:7
    #2 0x4a3d4e in decode_image /src/png/fuzz.c:55:3

  Uninitialized value was created by a heap allocation
    #0 0x43aa11 in malloc /src/llvm-project/compiler-rt/lib/msan/msan_interceptors.cpp:934:3
    #1 0x4a0f00 in png_malloc_base /src/png/pngmem.c:90:14

SUMMARY: MemorySanitizer: use-of-uninitialized-value /src/png/pngrutil.c:311:9 in png_check_chunk
Exiting
`;

describe('parseCrash: AddressSanitizer reports', () => {
  it('takes type, access and the top three own frames of a gcc heap-buffer-overflow', () => {
    const sig = parseCrash(gccHeapOverflow);
    expect(sig).toEqual({ crashType: 'Heap-buffer-overflow', access: 'READ', accessSize: 4, frames: ['parse_header', 'read_file', 'load_config'], sanitizer: 'address' });
    expect(signatureKey(sig!)).toBe('Heap-buffer-overflow READ 4|parse_header|read_file|load_config');
    expect(crashTypeLine(sig!)).toBe('Heap-buffer-overflow READ 4');
  });

  it('names a libFuzzer target after its file and ignores the fuzzer engine, main and libc', () => {
    expect(key(clangFuzzerOverflow)).toBe('Heap-buffer-overflow READ 1|fuzz_base64_decode.cc');
  });

  it('strips C++ argument lists, templates, anonymous namespaces and clone suffixes, keeping operators', () => {
    expect(parseCrash(cppOverflow)?.frames).toEqual(['std::vector::_M_fill_assign', 'Decoder::decode_block', 'codec::Stream::operator<<']);
  });

  it('takes frames from the crash stack only, never from the "freed by" or "allocated by" stacks', () => {
    const sig = parseCrash(uafInMain);
    expect(sig).toMatchObject({ crashType: 'Heap-use-after-free', access: 'WRITE', accessSize: 8, frames: [] });
    expect(signatureKey(sig!)).toBe('Heap-use-after-free WRITE 8');
  });

  it('reports a double free as Heap-double-free at the caller of free', () => {
    expect(key(doubleFree)).toBe('Heap-double-free|destroy_list|list_reset');
  });

  it('parses stack- and global-buffer-overflows', () => {
    const stack = gccHeapOverflow.replace('heap-buffer-overflow on address', 'stack-buffer-overflow on address').replace('READ of size 4', 'WRITE of size 1');
    expect(key(stack)).toBe('Stack-buffer-overflow WRITE 1|parse_header|read_file|load_config');
    const global = gccHeapOverflow.replace('heap-buffer-overflow on address', 'global-buffer-overflow on address');
    expect(key(global)).toBe('Global-buffer-overflow READ 4|parse_header|read_file|load_config');
  });

  it('writes access sizes above 16 as {*} in the key, like ClusterFuzz', () => {
    const big = parseCrash(gccHeapOverflow.replace('READ of size 4', 'READ of size 4096'));
    expect(big?.accessSize).toBe(4096);
    expect(signatureKey(big!)).toBe('Heap-buffer-overflow READ {*}|parse_header|read_file|load_config');
    expect(signatureKey(parseCrash(gccHeapOverflow.replace('READ of size 4', 'READ of size 16'))!)).toMatch(/^Heap-buffer-overflow READ 16\|/);
  });

  it('turns a SEGV below one page into a Null-dereference, with the access kind', () => {
    expect(key(segv('0x000000000000', 'READ'))).toBe('Null-dereference READ|lookup_entry|table_get|handle_request');
    expect(key(segv('0x000000000010', 'WRITE'))).toBe('Null-dereference WRITE|lookup_entry|table_get|handle_request');
    expect(parseCrash(segv('0x000000000fff', 'READ'))?.crashType).toBe('Null-dereference');
  });

  it('keeps a SEGV elsewhere UNKNOWN, and one without an address as Segv on unknown address', () => {
    expect(key(segv('0x000000001000', 'READ'))).toBe('UNKNOWN READ|lookup_entry|table_get|handle_request');
    expect(key(segv('0x7f3a2b1c0000', 'UNKNOWN'))).toBe('UNKNOWN|lookup_entry|table_get|handle_request');
    expect(key(segv(null, 'READ'))).toBe('Segv on unknown address|lookup_entry|table_get|handle_request');
  });

  it('finds the recursion cycle of a stack overflow, whichever function of the cycle overflowed', () => {
    const inValue = parseCrash(stackOverflow([], ['parse_value', 'parse_array']));
    const inArray = parseCrash(stackOverflow([], ['parse_array', 'parse_value']));
    expect(inValue).toEqual({ crashType: 'Stack-overflow', frames: ['parse_array', 'parse_value'], sanitizer: 'address' });
    expect(signatureKey(inArray!)).toBe(signatureKey(inValue!));
    // a helper at the top (memset's interceptor is ignored, skip_ws is not) does not hide the cycle
    const withHelper = stackOverflow(['__asan_memset', 'skip_ws'], ['parse_value', 'parse_array']);
    expect(parseCrash(withHelper)?.frames).toEqual(['parse_array', 'parse_value']);
    expect(parseCrash(stackOverflow([], ['recurse']))?.frames).toEqual(['recurse']);
  });

  it('ignores unsymbolized runtime-library frames and names unsymbolized program frames by module', () => {
    const raw = `==1==ERROR: AddressSanitizer: heap-buffer-overflow on address 0x6120000011fc at pc 0x0000005506b9 bp 0x7fff38558240 sp 0x7fff38558238
WRITE of size 4 at 0x6120000011fc thread T0
    #0 0x7f70c6a48060  (/usr/lib/x86_64-linux-gnu/libasan.so.8+0xb89cf)
    #1 0x5506b8  (/my/compression/decoder+0x5506b8)
    #2 0x54b66a  (/my/compression/decoder+0x54b66a)
    #3 0x7f6f7f2fb0b2  (/lib/x86_64-linux-gnu/libc.so.6+0x270b2)
`;
    expect(parseCrash(raw)?.frames).toEqual(['decoder', 'decoder']);
  });

  it('skips DEADLYSIGNAL banners, ASan warnings and summary lines', () => {
    const noisy = `==9==WARNING: AddressSanitizer failed to allocate 0x10000 bytes\nAddressSanitizer:DEADLYSIGNAL\nSUMMARY: AddressSanitizer: SEGV on unknown address 0x000000000000\n`;
    expect(parseCrash(noisy)).toBeNull();
    expect(parseCrash(noisy, { exitCode: 1 })).toBeNull();
  });

  it('recognizes allocator failures as Out-of-memory', () => {
    expect(parseCrash('==7==ERROR: AddressSanitizer: requested allocation size 0xfffffffffffffff0 (0x800 after adjustments for alignment, red zones etc.) exceeds maximum supported size of 0x10000000000 (thread T0)\n')?.crashType).toBe('Out-of-memory');
    expect(parseCrash('==7==ERROR: AddressSanitizer failed to allocate 0x400000000 (17179869184) bytes of LargeMmapAllocator (error code: 12)\n')?.crashType).toBe('Out-of-memory');
  });

  it('maps other ASan types the ClusterFuzz way', () => {
    expect(parseCrash('==3==ERROR: AddressSanitizer: stack-use-after-return on address 0x7f2a1b400030 at pc 0x1 bp 0x2 sp 0x3')?.crashType).toBe('Stack-use-after-return');
    expect(parseCrash('==3==ERROR: AddressSanitizer: unknown-crash on address 0x000000000004 at pc 0x1 bp 0x2 sp 0x3')?.crashType).toBe('Null-dereference');
    expect(parseCrash('==3==ERROR: AddressSanitizer: FPE on unknown address 0x55d0c1b2a3e4 (pc 0x55d0c1b2a3e4 bp 0x1 sp 0x2 T0)')?.crashType).toBe('Floating-point-exception');
    expect(parseCrash('==3==ERROR: AddressSanitizer: ABRT on unknown address 0x03e80000a1b2 (pc 0x7f3 bp 0x1 sp 0x2 T0)')?.crashType).toBe('Abrt');
    expect(parseCrash('==3==ERROR: AddressSanitizer: attempting free on address which was not malloc()-ed: 0x7ffd1c2b3a40 in thread T0')?.crashType).toBe('Invalid-free');
    expect(parseCrash("==3==ERROR: AddressSanitizer: memcpy-param-overlap: memory ranges [0x6020000000f0,0x6020000000f8) and [0x6020000000f4, 0x6020000000fc) overlap")?.crashType).toBe('Memcpy-param-overlap');
  });
});

describe('parseCrash: UBSan, LSan, MSan', () => {
  it('types UBSan runtime errors and takes frames from print_stacktrace; the first error names the crash', () => {
    expect(key(ubsanOverflowWithStack)).toBe('Integer-overflow|au_read_header|au_open|psf_open_file');
    expect(parseCrash(ubsanOverflowWithStack)?.sanitizer).toBe('undefined');
  });

  it.each([
    ["t.c:7:27: runtime error: left shift of 1 by 31 places cannot be represented in type 'int'", 'Undefined-shift'],
    ["t.c:14:67: runtime error: index 5 out of bounds for type 'int [4]'", 'Index-out-of-bounds'],
    ['t.c:3:12: runtime error: division by zero', 'Divide-by-zero'],
    ["lib/src/stack.c:294:39: runtime error: unsigned integer overflow: 0 - 1 cannot be represented in type 'unsigned int'", 'Unsigned-integer-overflow'],
    ["t.c:9:5: runtime error: negation of -2147483648 cannot be represented in type 'int'; cast to an unsigned type to negate this value to itself", 'Integer-overflow'],
    ["t.c:5:43: runtime error: member access within null pointer of type 'struct node'", 'Null-dereference'],
    ["t.c:8:10: runtime error: load of misaligned address 0x602000000011 for type 'int', which requires 4 byte alignment", 'Misaligned-address'],
    ["t.c:2:1: runtime error: load of value 7, which is not a valid value for type 'bool'", 'Invalid-bool-value'],
    ['t.c:2:1: runtime error: something new and unheard of', 'UNKNOWN'],
  ])('%s → %s', (line, type) => {
    expect(parseCrash(line)).toEqual({ crashType: type, frames: [], sanitizer: 'undefined' });
  });

  it('keeps the access of UBSan null loads and stores', () => {
    expect(key("t.c:4:10: runtime error: load of null pointer of type 'int'")).toBe('Null-dereference READ');
    expect(key("t.c:4:10: runtime error: store to null pointer of type 'char'")).toBe('Null-dereference WRITE');
  });

  it('lets a later fatal ASan report outrank an earlier non-fatal UBSan error', () => {
    const both = `t.c:5:43: runtime error: member access within null pointer of type 'struct node'\n${segv('0x000000000008', 'READ')}`;
    expect(parseCrash(both)).toMatchObject({ crashType: 'Null-dereference', access: 'READ', sanitizer: 'address' });
  });

  it('does not take prose that merely says "runtime error" for UBSan', () => {
    expect(parseCrash('panic: runtime error: index out of range [5] with length 3\n', { exitCode: 2 })).toBeNull();
    expect(parseCrash('error: runtime error: config missing\n', { exitCode: 1 })).toBeNull();
  });

  it('names a leak by its first direct leak, over indirect ones', () => {
    expect(parseCrash(lsan)).toEqual({ crashType: 'Direct-leak', frames: ['tree_clone', 'tree_merge'], sanitizer: 'leak' });
  });

  it('reads MemorySanitizer reports and stops at the origin stack', () => {
    expect(parseCrash(msan)).toEqual({ crashType: 'Use-of-uninitialized-value', frames: ['png_check_chunk', 'png_read_info', 'decode_image'], sanitizer: 'memory' });
  });
});

describe('parseCrash: signals, assertions, no crash', () => {
  it('types a bare signal death from the exit signal, with no frames', () => {
    expect(parseCrash('', { exitSignal: 'SIGSEGV' })).toEqual({ crashType: 'Segv', frames: [], sanitizer: 'signal' });
    expect(parseCrash('some output\n', { exitSignal: 'SIGABRT', exitCode: null })).toEqual({ crashType: 'Abrt', frames: [], sanitizer: 'signal' });
    expect(parseCrash('', { exitSignal: 'SIGFPE' })?.crashType).toBe('Floating-point-exception');
    expect(parseCrash('', { exitSignal: 'SIGBUS' })?.crashType).toBe('Bus');
    expect(parseCrash('', { exitSignal: 'SIGILL' })?.crashType).toBe('Ill');
  });

  it('reads a shell-reported 128+N exit status as signal N', () => {
    expect(parseCrash('Segmentation fault (core dumped)\n', { exitCode: 139 })?.crashType).toBe('Segv');
    expect(parseCrash('', { exitCode: 134 })?.crashType).toBe('Abrt');
  });

  it('sees no crash in a clean exit, an error exit, or a kill', () => {
    expect(parseCrash('', { exitCode: 0 })).toBeNull();
    expect(parseCrash('usage: prog FILE\n', { exitCode: 2 })).toBeNull();
    expect(parseCrash('', { exitSignal: 'SIGKILL' })).toBeNull();
    expect(parseCrash('', { exitSignal: 'SIGTERM' })).toBeNull();
    expect(parseCrash('')).toBeNull();
  });

  it('prefers the sanitizer report to the exit signal', () => {
    expect(key(gccHeapOverflow, { exitSignal: 'SIGABRT' })).toBe('Heap-buffer-overflow READ 4|parse_header|read_file|load_config');
  });

  it('takes a glibc assertion as ASSERT with the condition as its state', () => {
    const text = "prog: src/parse.c:88: parse_header: Assertion `n < 4' failed.\n";
    expect(parseCrash(text, { exitSignal: 'SIGABRT' })).toEqual({ crashType: 'ASSERT', frames: ['n < 4'], sanitizer: 'none' });
    // an assertion-looking line from a program that exited normally is not a crash
    expect(parseCrash(text, { exitCode: 0 })).toBeNull();
  });
});

describe('parseCrash: hostile and broken input', () => {
  it('never throws, whatever the bytes', () => {
    const inputs: unknown[] = ['\0\0\0', '#0', '    #99999999999999999999 0xzz in', 'ERROR: AddressSanitizer: ', 'x'.repeat(2_000_000), `#0 0x1 in ${'<'.repeat(50_000)}`, '==1==ERROR: AddressSanitizer: SEGV on unknown address 0xffffffffffffffffffffffff', Buffer.from([0xff, 0xfe, 0x00, 0x41])];
    for (const input of inputs) expect(() => parseCrash(input as string)).not.toThrow();
    expect(() => parseCrash(undefined as unknown as string)).not.toThrow();
    expect(() => parseCrash(null as unknown as string, null as unknown as undefined)).not.toThrow();
  });

  it('survives mutations of real reports and is deterministic', () => {
    let seed = 12345;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const samples = [gccHeapOverflow, clangFuzzerOverflow, cppOverflow, doubleFree, lsan, msan, ubsanOverflowWithStack, stackOverflow([], ['a_fn', 'b_fn'])];
    for (let round = 0; round < 300; round++) {
      const base = samples[round % samples.length] ?? '';
      const chars = [...base];
      for (let k = 0; k < 20; k++) chars[rand(chars.length)] = String.fromCharCode(rand(0x3000));
      const text = chars.join('');
      const first = parseCrash(text);
      expect(parseCrash(text)).toEqual(first);
      if (first) expect(typeof signatureKey(first)).toBe('string');
    }
  });

  it('keeps regexes linear on long pathological lines', () => {
    const line = `==1==ERROR: AddressSanitizer: ${'a on '.repeat(200_000)}`;
    const start = Date.now();
    parseCrash(`${line}\n    #0 0x1 in ${'f('.repeat(100_000)}\n`);
    expect(Date.now() - start).toBeLessThan(2000);
  });
});

describe('normalizeFrameName', () => {
  it.each([
    ['parse_header', 'parse_header'],
    ['parse_header.part.0', 'parse_header'],
    ['read_chunk.isra.0.cold', 'read_chunk'],
    ['ns::Foo<int, std::allocator<int> >::bar(char const*) const', 'ns::Foo::bar'],
    ['(anonymous namespace)::helper(int)', 'helper'],
    ['non-virtual thunk to Derived::run()', 'Derived::run'],
    ['std::operator<< <std::char_traits<char> >(std::ostream&, char const*)', 'std::operator<<'],
    ['Matrix::operator()(int, int)', 'Matrix::operator()'],
    ['Table::operator[](unsigned long)', 'Table::operator[]'],
    ['Cmp::operator<(Cmp const&) const', 'Cmp::operator<'],
    ['Ptr::operator->() const', 'Ptr::operator->'],
    ['Vec::operator!=(Vec const&) const', 'Vec::operator!='],
    ['main::{lambda(int)#1}::operator()(int) const', 'main::{lambda(int)#NUMBER}::operator()'],
    ['chrome.dll!base::Run+0x1f', 'base::Run+0x1f'],
    ['decode_block_12345', 'decode_block_NUMBER'], // ClusterFuzz's number filter, faithfully
    ['table_0x7f3a2b1c', 'table_ADDRESS'],
    ['png::read_row::h0123456789abcdef', 'png::read_row'],
  ])('%s → %s', (raw, want) => {
    expect(normalizeFrameName(raw)).toBe(want);
  });
});

describe('signatureKey and sameCrash', () => {
  const sig = (over: Partial<CrashSignature>): CrashSignature => ({ crashType: 'Heap-buffer-overflow', access: 'READ', accessSize: 4, frames: ['a_fn', 'b_fn', 'c_fn'], sanitizer: 'address', ...over });

  it('escapes the separator inside names', () => {
    expect(signatureKey(sig({ frames: ['Bits::operator|', '100%_done'] }))).toBe('Heap-buffer-overflow READ 4|Bits::operator%7C|100%25_done');
  });

  it('tolerates access and size differences but not a different crash type', () => {
    expect(sameCrash(sig({}), sig({ accessSize: 8 }))).toBe(true);
    expect(sameCrash(sig({}), sig({ access: 'WRITE', accessSize: 1 }))).toBe(true);
    expect(sameCrash(sig({}), sig({ crashType: 'Heap-use-after-free' }))).toBe(false);
  });

  it('compares states like ClusterFuzz CrashComparer', () => {
    expect(sameCrash(sig({}), sig({ frames: ['x_fn', 'b_fn', 'c_fn'] }))).toBe(true); // two frames in common, in order
    expect(sameCrash(sig({}), sig({ frames: ['b_fn', 'c_fn'] }))).toBe(true);
    expect(sameCrash(sig({ frames: ['parse_header_v2'] }), sig({ frames: ['parse_header_v3'] }))).toBe(true); // 97% alike
    expect(sameCrash(sig({}), sig({ frames: ['read_header', 'validate', 'c_fn'] }))).toBe(false); // one frame in common, lines unalike
    expect(sameCrash(sig({}), sig({ frames: ['alloc_table', 'grow_index', 'flush_log'] }))).toBe(false);
    expect(sameCrash(sig({ frames: [] }), sig({ frames: [] }))).toBe(true);
    expect(sameCrash(sig({ frames: [] }), sig({}))).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Integration: the planted programs built with gcc -fsanitize=address and run on their PoCs.

interface Ran {
  code: number | null;
  signal: string | null;
  stderr: string;
}

function runProgram(file: string, args: string[], cwd: string): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd, env: { ...process.env, ASAN_OPTIONS: asanOptions }, maxBuffer: 64 * 1024 * 1024, timeout: 60_000 }, (err, _stdout, stderr) => {
      const e = err as (NodeJS.ErrnoException & { code?: number | string; signal?: string | null }) | null;
      resolve({ code: e ? (typeof e.code === 'number' ? e.code : null) : 0, signal: e?.signal ?? null, stderr: String(stderr) });
    });
  });
}

/** Why the integration tests cannot run here, or null when gcc builds and runs an ASan program. */
async function toolchainProblem(dir: string): Promise<string | null> {
  try {
    await run('gcc', ['--version']);
  } catch {
    return 'gcc is not installed';
  }
  const probe = join(dir, 'probe.c');
  await writeFile(probe, 'int main(void) { return 0; }\n');
  try {
    await run('gcc', [...sanitizerFlags, '-o', join(dir, 'probe'), probe]);
  } catch (e) {
    return `gcc cannot build with -fsanitize=address (${String((e as Error).message).split('\n')[0]})`;
  }
  const ran = await runProgram(join(dir, 'probe'), [], dir);
  return ran.code === 0 ? null : `an ASan binary does not run here (exit ${ran.code ?? ran.signal}): ${ran.stderr.slice(0, 200)}`;
}

let work = '';
let problem: string | null = 'not checked';

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'crash-signature-'));
  problem = await toolchainProblem(work);
  if (problem) console.warn(`skipping planted-program tests: ${problem}`);
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

async function build(source: string, out: string, defines: string[] = []): Promise<string> {
  const exe = join(work, out);
  await run('gcc', [...sanitizerFlags, ...defines, '-o', exe, join(fixturesDir, source)]);
  return exe;
}

describe('planted programs under AddressSanitizer', () => {
  for (const prog of plantedPrograms) {
    it(`${prog.bug} (${prog.source}): every PoC gives ${prog.expectedKey}; the fixed build runs clean`, async (ctx) => {
      if (problem) return ctx.skip();
      const name = prog.source.replace(/\.c$/, '');
      const [vulnerable, fixed] = await Promise.all([build(prog.source, name), build(prog.source, `${name}-fixed`, ['-DFIXED'])]);
      const keys = new Set<string>();
      for (const [pocName, bytes] of Object.entries(prog.pocs)) {
        const poc = join(work, `${name}.${pocName}.poc`);
        await writeFile(poc, bytes);
        const crashed = await runProgram(vulnerable, [poc], work);
        const sig = parseCrash(crashed.stderr, { exitCode: crashed.code, exitSignal: crashed.signal });
        expect(sig, `${pocName}: ${crashed.stderr.slice(0, 500)}`).not.toBeNull();
        expect(sig?.crashType).toBe(prog.crashType);
        expect(sig?.sanitizer).toBe('address');
        expect(sig?.frames).toEqual(prog.frames);
        keys.add(signatureKey(sig!));
        const clean = await runProgram(fixed, [poc], work);
        expect(clean.code, clean.stderr.slice(0, 500)).toBe(0);
        expect(parseCrash(clean.stderr, { exitCode: clean.code, exitSignal: clean.signal })).toBeNull();
      }
      expect(Object.keys(prog.pocs).length).toBeGreaterThanOrEqual(2);
      expect([...keys]).toEqual([prog.expectedKey]);
    });
  }

  it('the planted repository: base and fixed commits run clean, the introducing commit crashes with one key', async (ctx) => {
    if (problem) return ctx.skip();
    const repo = await makePlantedRepo(join(work, 'repo'));
    expect(repo.runCommand).toContain('{poc}');
    const again = await makePlantedRepo(join(work, 'repo-again'));
    expect(again.commits).toEqual(repo.commits); // fixed identities and dates: stable ids
    const parents = await run('git', ['-C', repo.dir, 'rev-list', '--parents', '-n', '1', repo.commits.fixed]);
    expect(parents.stdout.trim().split(' ')).toEqual([repo.commits.fixed, repo.commits.introduced]);
    for (const [role, commit] of Object.entries(repo.commits)) {
      const tree = join(work, `tree-${role}`);
      await run('git', ['-C', repo.dir, 'worktree', 'add', '-q', '--detach', tree, commit]);
      await run('sh', ['-c', repo.buildCommand], { cwd: tree });
      for (const [pocName, bytes] of Object.entries(repo.pocs)) {
        const poc = join(work, `repo.${pocName}.poc`);
        await writeFile(poc, bytes);
        const ran = await runProgram('sh', ['-c', repo.runCommand.replace('{poc}', `'${poc}'`)], tree);
        const sig = parseCrash(ran.stderr, { exitCode: ran.code, exitSignal: ran.signal });
        if (role === 'introduced') {
          expect(sig && signatureKey(sig), `${role} ${pocName}`).toBe(plantedRepoBug.expectedKey);
        } else {
          expect(sig, `${role} ${pocName}: ${ran.stderr.slice(0, 300)}`).toBeNull();
          expect(ran.code).toBe(0);
        }
      }
    }
  });
});
