// Finding where one JSON value ends when its text arrives in pieces: the byte-level core shared by the
// streaming splitters (SARIF results, SBOM components). It does not parse or check the value — JSON.parse
// of the captured text does that — it only follows strings, escapes and nesting depth across pieces.

/** JSON whitespace: space, tab, line feed, carriage return. */
export const WS = new Uint8Array(128);
for (const c of [0x20, 0x09, 0x0a, 0x0d]) WS[c] = 1;

export class ValueScanner {
  private inString = false;
  private escape = false;
  private depth = 0;
  private scalar = false;

  /**
   * Starts a value at its first character: how many characters that start consumes (1 for a string or a
   * container, 0 for a number or literal, which ends at the first delimiter), or -1 when `c` cannot start one.
   */
  begin(c: number): number {
    this.escape = false;
    this.scalar = false;
    this.inString = false;
    this.depth = 0;
    if (c === 0x22) {
      this.inString = true;
      return 1;
    }
    if (c === 0x7b || c === 0x5b) {
      this.depth = 1;
      return 1;
    }
    if ((c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x74 || c === 0x66 || c === 0x6e) {
      this.scalar = true;
      return 0;
    }
    return -1;
  }

  /** A number or literal still open when the input ended: it ends with the input. */
  get openScalar(): boolean {
    return this.scalar;
  }

  /** Scans `buf` from `p`: the position just after the value when it ended there, or -1 when all of `buf` was consumed. */
  scan(buf: string, p: number): number {
    const len = buf.length;
    if (this.scalar) {
      while (p < len) {
        const c = buf.charCodeAt(p);
        if (c === 0x2c || c === 0x7d || c === 0x5d || (c < 128 && WS[c] === 1)) return p;
        p++;
      }
      return -1;
    }
    let depth = this.depth;
    for (;;) {
      if (this.inString) {
        if (this.escape) {
          if (p >= len) break;
          p++;
          this.escape = false;
        }
        const q = buf.indexOf('"', p);
        if (q < 0) {
          // The string goes on in the next piece; an odd run of trailing backslashes escapes its first character.
          let k = len;
          while (k > p && buf.charCodeAt(k - 1) === 0x5c) k--;
          this.escape = (len - k) % 2 === 1;
          p = len;
          break;
        }
        let k = q;
        while (k > p && buf.charCodeAt(k - 1) === 0x5c) k--;
        p = q + 1;
        if ((q - k) % 2 === 1) continue; // an escaped quote
        this.inString = false;
        if (depth === 0) return p;
      }
      // Inside a container, outside strings.
      while (p < len) {
        const c = buf.charCodeAt(p++);
        if (c === 0x22) {
          this.inString = true;
          break;
        }
        if (c === 0x7b || c === 0x5b) depth++;
        else if (c === 0x7d || c === 0x5d) {
          if (--depth === 0) {
            this.depth = 0;
            return p;
          }
        }
      }
      if (!this.inString || p >= len) break;
    }
    this.depth = depth;
    return -1;
  }
}
