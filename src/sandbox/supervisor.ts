// The first process inside the sandbox: forks the command, waits for it and reports on a private pipe how it
// ended. bwrap itself only passes on an exit code, folding "killed by signal N" into 128 + N (so exit(139) and a
// segfault look alike) and its own setup failures into 1; the report keeps them apart, and adds the CPU time the
// command used, which tells a RLIMIT_CPU kill from any other SIGKILL.
//
// Perl because it is always there on Debian-like systems (perl-base is Essential) and starts in ~2 ms. Without
// /usr/bin/perl the command runs directly and bwrap's exit code is decoded instead.
import { constants } from 'node:os';

export const supervisorPath = '/usr/bin/perl';

/** File descriptor, inside the sandbox, of the report pipe; close-on-exec, so the command never holds it. */
export const reportFd = 4;

// No modules: loading POSIX alone costs ~13 ms per run. fcntl(2, 1) is F_SETFD, FD_CLOEXEC (the same on every Linux).
const script = [
  `open(my $st, '>&=', ${reportFd}) or die "sandbox supervisor: no report channel: $!\\n"; fcntl($st, 2, 1);`,
  'my $pid = fork;',
  'if (!defined $pid) { syswrite($st, "fork-failed $!\\n"); exit 125 }',
  'if ($pid == 0) { exec { $ARGV[0] } @ARGV; syswrite($st, "exec-failed $!\\n"); exit 127 }',
  'waitpid($pid, 0); my $w = $?; my (undef, undef, $cu, $cs) = times; my $cpu = $cu + $cs;',
  'if ($w & 127) { syswrite($st, "signal " . ($w & 127) . " $cpu\\n"); exit(128 + ($w & 127)) }',
  'syswrite($st, "exit " . ($w >> 8) . " $cpu\\n"); exit($w >> 8);',
].join(' ');

/** argv prefix that runs the command under the supervisor (`--` so a command starting with "-" is not a perl switch). */
export function supervisorArgv(): string[] {
  return [supervisorPath, '-e', script, '--'];
}

export type SupervisorReport =
  | { kind: 'exit'; code: number; cpuSeconds: number }
  | { kind: 'signal'; signal: string; cpuSeconds: number }
  | { kind: 'exec-failed'; message: string }
  | { kind: 'fork-failed'; message: string };

const signalNames = new Map<number, string>(Object.entries(constants.signals).map(([name, n]) => [n, name]));

export function signalName(n: number): string {
  return signalNames.get(n) ?? `SIG${n}`;
}

/** The report in what the supervisor wrote; null when it wrote nothing usable (it never started, or was killed). */
export function parseReport(text: string): SupervisorReport | null {
  let report: SupervisorReport | null = null;
  for (const line of text.split('\n')) {
    const failed = /^(exec|fork)-failed (.*)$/.exec(line);
    if (failed) return { kind: failed[1] === 'exec' ? 'exec-failed' : 'fork-failed', message: failed[2] ?? '' };
    const ended = /^(exit|signal) (\d+) (\d+(?:\.\d+)?)$/.exec(line);
    if (!ended) continue;
    const n = Number(ended[2]);
    const cpuSeconds = Number(ended[3]);
    report = ended[1] === 'exit' ? { kind: 'exit', code: n, cpuSeconds } : { kind: 'signal', signal: signalName(n), cpuSeconds };
  }
  return report;
}

/** Best reading of bwrap's own exit code when there is no report: bwrap turns death by signal N into 128 + N. */
export function decodeExitCode(code: number): { kind: 'exit'; code: number } | { kind: 'signal'; signal: string } {
  if (code > 128 && code < 128 + 65) return { kind: 'signal', signal: signalName(code - 128) };
  return { kind: 'exit', code };
}
