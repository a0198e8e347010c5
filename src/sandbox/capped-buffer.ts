// Keeps the first `cap` bytes of a stream and notes whether anything was cut, so a flood costs bounded memory.
export class CappedBuffer {
  private readonly chunks: Buffer[] = [];
  private length = 0;
  truncated = false;

  constructor(private readonly cap: number) {}

  /** Adds a chunk; false once the stream has gone past the cap. */
  push(chunk: Buffer): boolean {
    if (this.truncated) return false;
    const room = this.cap - this.length;
    if (chunk.length > room) {
      this.chunks.push(chunk.subarray(0, room));
      this.length += room;
      this.truncated = true;
      return false;
    }
    this.chunks.push(chunk);
    this.length += chunk.length;
    return true;
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.chunks, this.length);
  }
}
