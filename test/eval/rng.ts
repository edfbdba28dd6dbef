// A small seeded PRNG (mulberry32) and the helpers the generator draws with, so a seed names a timeline.
export class Rng {
  private state: number;
  private readonly seen = new Set<string>();

  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  shuffle<T>(items: T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  }

  /** Draws until the value was never drawn before by this generator. */
  unique(draw: () => string): string {
    for (;;) {
      const v = draw();
      if (!this.seen.has(v)) {
        this.seen.add(v);
        return v;
      }
    }
  }

  /** An invented pronounceable word, never repeated within one generator. */
  word(): string {
    const c = 'bdfgklmnprstvz';
    const v = 'aeiou';
    return this.unique(() => {
      let w = '';
      for (let i = 0, n = 2 + this.int(2); i < n; i++) w += c[this.int(c.length)] + v[this.int(v.length)];
      return w + c[this.int(c.length)];
    });
  }

  uuid(): string {
    const hex = () => this.int(16).toString(16);
    const part = (n: number) => Array.from({ length: n }, hex).join('');
    return this.unique(() => `${part(8)}-${part(4)}-4${part(3)}-${'89ab'[this.int(4)]}${part(3)}-${part(12)}`);
  }
}
