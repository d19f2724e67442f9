// IEEE 754 half-precision floats (numpy's float16), converted here rather than by HDF5: JS has no
// Float16Array in Node 20, and HDF5 rounds ties away from zero where numpy (and IEEE) round them to even,
// so the same float64 would be stored differently by h5py and h5mpi.

const SUBNORMAL = 2 ** -24;
const MIN_NORMAL = 2 ** -14;

/** x rounded to the nearest integer, ties to even (x >= 0). */
function roundEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  return d > 0.5 || (d === 0.5 && f % 2 === 1) ? f + 1 : f;
}

/** The half nearest to `x` (ties to even), as its 16 bits; beyond the largest half, infinity. */
export function halfBits(x: number): number {
  if (Number.isNaN(x)) return 0x7e00;
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  const a = Math.abs(x);
  if (a < MIN_NORMAL) return sign | roundEven(a / SUBNORMAL); // 1024 rounds up into the smallest normal
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  else if (2 ** (e + 1) <= a) e++;
  let m = roundEven((a / 2 ** e - 1) * 1024);
  if (m === 1024) {
    m = 0;
    e++;
  }
  if (e > 15) return sign | 0x7c00;
  return sign | ((e + 15) << 10) | m;
}

/** The value of a half's 16 bits. */
export function halfValue(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const e = (bits >> 10) & 0x1f;
  const m = bits & 0x3ff;
  if (e === 0) return sign * m * SUBNORMAL;
  if (e === 31) return m === 0 ? sign * Infinity : NaN;
  return sign * (1 + m / 1024) * 2 ** (e - 15);
}

/** Halves' bits as float32s (every half is exactly a float32). */
export function fromHalves(bits: Uint16Array): Float32Array {
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = halfValue(bits[i]);
  return out;
}

/** Numbers (any numeric typed array or number[]) as halves' bits. */
export function toHalves(values: ArrayLike<number | bigint>): Uint16Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = halfBits(Number(values[i]));
  return out;
}
