// What the ranks of a communicator exchange to agree that they are making the same collective call, and how
// a disagreement is shown. Shared by the HDF5 operations' checking (lib/collective.ts) and the Comm
// collectives' (lib/collectives.ts); a leaf, so that both can use it without an import cycle.

/**
 * A rank's ballot: a success flag and a 64-bit digest of its call, with the digest's complement, so that
 * one MIN reduction gives the smallest flag and both the smallest and the largest digest.
 */
export function ballot(ok: boolean, text: string): Int32Array {
  const [h1, h2] = ok ? digest64(text) : [0, 0];
  return new Int32Array([ok ? 1 : 0, h1, h2, ~h1, ~h2]);
}

/** Whether the MIN reduction of every rank's ballot says that all succeeded with the same call. */
export function unanimous(r: Int32Array): boolean {
  // min(~h) = ~max(h): equal minimum and maximum means every rank sent the same digest.
  return r[0] === 1 && r[1] === ~r[3] && r[2] === ~r[4];
}

/** At most this many different calls are spelled out in a message (all of them are in the error's `calls`). */
const SHOWN_CALLS = 8;

/** "rank 0: a; ranks 1-3,5: b" */
export function groupByCall(calls: string[]): string {
  const byCall = new Map<string, number[]>();
  calls.forEach((c, r) => byCall.set(c, [...(byCall.get(c) ?? []), r]));
  const groups = [...byCall].map(([c, ranks]) => `${ranks.length === 1 ? 'rank' : 'ranks'} ${ranges(ranks)}: ${clip(c)}`);
  if (groups.length <= SHOWN_CALLS) return groups.join('; ');
  return `${groups.slice(0, SHOWN_CALLS - 1).join('; ')}; and ${groups.length - SHOWN_CALLS + 1} other calls (the error's \`calls\` has every rank's)`;
}

/** [0,1,2,5] -> "0-2,5" */
export function ranges(ranks: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < ranks.length; i++) {
    let j = i;
    while (j + 1 < ranks.length && ranks[j + 1] === ranks[j] + 1) j++;
    parts.push(i === j ? `${ranks[i]}` : `${ranks[i]}-${ranks[j]}`);
    i = j;
  }
  return parts.join(',');
}

function clip(s: string): string {
  return s.length > 200 ? `${s.slice(0, 197)}...` : s;
}

/** A 64-bit digest of a call's text, as two int32 (cyrb53's mixing; not cryptographic, just well spread). */
export function digest64(text: string): [number, number] {
  let h1 = 0xdeadbeef ^ text.length;
  let h2 = 0x41c6ce57 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return [h1 | 0, h2 | 0];
}
