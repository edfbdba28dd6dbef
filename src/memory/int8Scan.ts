// TEMPORARY stand-in until the SIMD scanner lands (same API).
export function quantizeInt8(vector: Float32Array, out: Int8Array, at: number): number {
  let max = 0;
  for (let i = 0; i < vector.length; i++) max = Math.max(max, Math.abs(vector[i]));
  if (max === 0) {
    out.fill(0, at, at + vector.length);
    return 0;
  }
  const scale = max / 127;
  for (let i = 0; i < vector.length; i++) out[at + i] = Math.round(vector[i] / scale);
  return scale;
}

export interface Int8Scanner {
  reserve(rows: number): void;
  rows(): Int8Array;
  scan(query: Int8Array, from: number, count: number): Int32Array;
}

export function createInt8Scanner(width: number): Int8Scanner | undefined {
  let data = new Int8Array(0);
  let out = new Int32Array(0);
  return {
    reserve(rows) {
      if (rows * width <= data.length) return;
      const grown = new Int8Array(Math.max(rows, Math.ceil((data.length / width) * 1.25)) * width);
      grown.set(data);
      data = grown;
    },
    rows: () => data,
    scan(query, from, count) {
      if (out.length < count) out = new Int32Array(count);
      for (let r = 0; r < count; r++) {
        let s = 0;
        const o = (from + r) * width;
        for (let i = 0; i < width; i++) s += data[o + i] * query[i];
        out[r] = s;
      }
      return out.subarray(0, count);
    },
  };
}
