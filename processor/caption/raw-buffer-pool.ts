/**
 * A few large buffers reused from image to image.
 *
 * Every caption writes the photo and its band into one raw buffer (about
 * 1 MB for 640x480) that lives only until the JPEG is encoded. Allocating it
 * fresh each time meant new pages from the kernel each time: under load that
 * cost more than the copy into it. Buffers are lent out whole and never to
 * two renders at once; sizes above `maxBytes` (a huge photo) are allocated
 * plainly and dropped after use, so the pool never pins more than
 * `keep * maxBytes`.
 */
export class RawBufferPool {
  private readonly free: Buffer[] = [];

  constructor(
    private readonly maxBytes = 8 * 1024 * 1024,
    private readonly keep = 2,
  ) {}

  /** A buffer of exactly `size` bytes (contents undefined) and the function that gives it back. */
  take(size: number): { buffer: Buffer; release: () => void } {
    if (size > this.maxBytes) return { buffer: Buffer.allocUnsafeSlow(size), release: () => {} };
    const index = this.free.findIndex((b) => b.length >= size);
    const whole = index >= 0 ? this.free.splice(index, 1)[0]! : Buffer.allocUnsafeSlow(this.grow(size));
    let released = false;
    return {
      buffer: whole.subarray(0, size),
      release: () => {
        // A second release would hand the same memory to two renders.
        if (released) return;
        released = true;
        this.free.push(whole);
        if (this.free.length > this.keep) this.free.sort((a, b) => b.length - a.length).length = this.keep;
      },
    };
  }

  /** How many buffers wait to be reused. */
  get idle(): number {
    return this.free.length;
  }

  /** Rounds up so that photos of slightly different sizes share a buffer. */
  private grow(size: number): number {
    return Math.min(this.maxBytes, Math.ceil(size / 65_536) * 65_536);
  }
}
