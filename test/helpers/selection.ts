// What a hyperslab selects, computed in plain JS, to check what HDF5 moved.
import { HyperslabSpec } from '../../lib';

/** Row-major flat indices of the elements one hyperslab selects, in the order HDF5 transfers them. */
export function slabIndices(shape: number[], s: HyperslabSpec): number[] {
  const stride = s.stride ?? shape.map(() => 1);
  const block = s.block ?? shape.map(() => 1);
  // Per dimension, the selected coordinates in increasing order.
  const coords = shape.map((_, d) => {
    const out: number[] = [];
    for (let c = 0; c < s.count[d]; c++) for (let b = 0; b < block[d]; b++) out.push(s.start[d] + c * stride[d] + b);
    return out;
  });
  if (coords.some((c) => c.length === 0)) return [];
  let flat: number[] = [0];
  for (let d = 0; d < shape.length; d++) {
    const next: number[] = [];
    for (const f of flat) for (const x of coords[d]) next.push(f * shape[d] + x);
    flat = next;
  }
  return flat;
}

/** A union selects each element once, in file (row-major) order. */
export function unionIndices(shape: number[], slabs: HyperslabSpec[]): number[] {
  return [...new Set(slabs.flatMap((s) => slabIndices(shape, s)))].sort((a, b) => a - b);
}
