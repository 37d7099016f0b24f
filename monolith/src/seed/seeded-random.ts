import { createHash } from 'node:crypto';

const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

/**
 * A deterministic pseudo-random stream (sfc32) for fake data: the same seed text always yields the
 * same sequence. Fast and statistically fine for seeding; never use it for anything secret.
 */
export class SeededRandom {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spareNormal: number | undefined;

  constructor(readonly seedText: string) {
    const digest = createHash('sha256').update(seedText, 'utf8').digest();
    this.a = digest.readUInt32LE(0);
    this.b = digest.readUInt32LE(4);
    this.c = digest.readUInt32LE(8);
    this.d = digest.readUInt32LE(12);
    for (let i = 0; i < 12; i++) this.uint32();
  }

  /** An independent stream for one concern, so adding draws to one does not shift the others. */
  derive(label: string): SeededRandom {
    return new SeededRandom(`${this.seedText}/${label}`);
  }

  uint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** A float in [0, 1) with 53 random bits. */
  next(): number {
    return ((this.uint32() >>> 5) * 67108864 + (this.uint32() >>> 6)) / 9007199254740992;
  }

  /** An integer in [min, max], both inclusive and safe integers. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** A bigint in [min, max], both inclusive; the span must fit a safe integer. */
  bigint(min: bigint, max: bigint): bigint {
    const span = max - min;
    if (span < 0n || span > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError(`bad range ${min}..${max}`);
    return min + BigInt(this.int(0, Number(span)));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty list');
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** Picks a value with probability proportional to its weight. */
  weighted<T>(choices: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (const [, weight] of choices) total += weight;
    let point = this.next() * total;
    for (const [value, weight] of choices) {
      point -= weight;
      if (point < 0) return value;
    }
    const last = choices[choices.length - 1];
    if (!last) throw new RangeError('weighted pick from an empty list');
    return last[0];
  }

  /** A standard normal draw (Box–Muller, spare value kept). */
  normal(): number {
    if (this.spareNormal !== undefined) {
      const spare = this.spareNormal;
      this.spareNormal = undefined;
      return spare;
    }
    const u = 1 - this.next();
    const v = this.next();
    const radius = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = radius * Math.sin(2 * Math.PI * v);
    return radius * Math.cos(2 * Math.PI * v);
  }

  /** `byteCount` random bytes as lowercase hex. */
  hex(byteCount: number): string {
    let text = '';
    for (let i = 0; i < byteCount; i++) text += HEX[this.uint32() & 0xff];
    return text;
  }

  /** A version-4-shaped UUID drawn from this stream (unique in practice: 122 random bits). */
  uuid(): string {
    const words = [this.uint32(), this.uint32(), this.uint32(), this.uint32()];
    const bytes: number[] = [];
    for (const word of words) bytes.push(word >>> 24, (word >>> 16) & 0xff, (word >>> 8) & 0xff, word & 0xff);
    bytes[6] = ((bytes[6] as number) & 0x0f) | 0x40;
    bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
    const h = bytes.map((byte) => HEX[byte] as string);
    return `${h.slice(0, 4).join('')}-${h.slice(4, 6).join('')}-${h.slice(6, 8).join('')}-${h.slice(8, 10).join('')}-${h.slice(10).join('')}`;
  }

  /** A Date uniformly between two instants (ms precision, as the DATETIME(3) columns store). */
  dateBetween(fromMs: number, toMs: number): Date {
    return new Date(toMs <= fromMs ? fromMs : this.int(fromMs, toMs));
  }
}
