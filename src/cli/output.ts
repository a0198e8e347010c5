// Output for people (aligned tables) or machines (--json).

export interface Column<T> {
  header: string;
  value: (row: T) => string | number | null | undefined;
}

export function table<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  const cells = rows.map((r) => columns.map((c) => {
    const v = c.value(r);
    return v === null || v === undefined || v === '' ? '-' : String(v);
  }));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((row) => row[i]!.length)));
  const line = (values: string[]) => values.map((v, i) => (i === values.length - 1 ? v : v.padEnd(widths[i]!))).join('  ');
  return [line(columns.map((c) => c.header.toUpperCase())), ...cells.map(line)].join('\n') + '\n';
}

export function fields(pairs: Array<[string, string | number | null | undefined]>): string {
  const width = Math.max(...pairs.map(([k]) => k.length));
  return pairs.map(([k, v]) => `${`${k}:`.padEnd(width + 1)} ${v === null || v === undefined ? '-' : v}`).join('\n') + '\n';
}

export interface Output {
  json: boolean;
  /** Prints a value as JSON, or the human form. */
  print(value: unknown, human: () => string): void;
  info(line: string): void;
}

export function output(json: boolean): Output {
  return {
    json,
    print(value, human) {
      process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : human());
    },
    info(line) {
      // Progress and notes go to stderr so that stdout stays machine-readable.
      process.stderr.write(`${line}\n`);
    },
  };
}
