/**
 * Jitter as Temporal adds it (service/worker/scheduler/spec.go, addJitter): a fraction of the allowed jitter chosen by
 * a 32-bit fingerprint of the nominal time and the schedule's seed, so the same schedule jitters the same nominal time
 * the same way on every server and after every restart. The fingerprint is FarmHash's Fingerprint32 (farmhashmk
 * Hash32, as github.com/dgryski/go-farm implements it) over Go's binary encoding of the time (time.MarshalBinary of a
 * UTC time) followed by the seed's UTF-8 bytes; matching both is what makes our jittered times equal Temporal's.
 */

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

const rotr = (x: number, k: number): number => ((x >>> k) | (x << (32 - k))) >>> 0;
const mul = (a: number, b: number): number => Math.imul(a, b) >>> 0;
const add = (a: number, b: number): number => (a + b) >>> 0;

function fmix(h: number): number {
  h = (h ^ (h >>> 16)) >>> 0;
  h = mul(h, 0x85ebca6b);
  h = (h ^ (h >>> 13)) >>> 0;
  h = mul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Murmur3's step combining a value into a running hash. */
function mur(a: number, h: number): number {
  a = mul(rotr(mul(a, C1), 17), C2);
  h = rotr((h ^ a) >>> 0, 19);
  return add(mul(h, 5), 0xe6546b64);
}

function fetch32(s: Uint8Array, i: number): number {
  return ((s[i] ?? 0) | ((s[i + 1] ?? 0) << 8) | ((s[i + 2] ?? 0) << 16) | ((s[i + 3] ?? 0) << 24)) >>> 0;
}

function hashLen0to4(s: Uint8Array): number {
  let b = 0;
  let c = 9;
  for (const byte of s) {
    b = add(mul(b, C1), (byte << 24) >> 24); // the byte is read as a signed char
    c = (c ^ b) >>> 0;
  }
  return fmix(mur(b, mur(s.length, c)));
}

function hashLen5to12(s: Uint8Array): number {
  const n = s.length;
  const a = add(n, fetch32(s, 0));
  const b = add(mul(n, 5), fetch32(s, n - 4));
  const c = add(9, fetch32(s, (n >>> 1) & 4));
  return fmix(mur(c, mur(b, mur(a, mul(n, 5)))));
}

function hashLen13to24(s: Uint8Array): number {
  const n = s.length;
  let a = fetch32(s, (n >>> 1) - 4);
  const b = fetch32(s, 4);
  const c = fetch32(s, n - 8);
  const d = fetch32(s, n >>> 1);
  const e = fetch32(s, 0);
  const f = fetch32(s, n - 4);
  let h = add(mul(d, C1), n);
  a = add(rotr(a, 12), f);
  h = add(mur(c, h), a);
  a = add(rotr(a, 3), c);
  h = add(mur(e, h), a);
  a = add(rotr(add(a, f), 12), d);
  h = add(mur(b, h), a);
  return fmix(h);
}

export function fingerprint32(s: Uint8Array): number {
  const n = s.length;
  if (n <= 4) return hashLen0to4(s);
  if (n <= 12) return hashLen5to12(s);
  if (n <= 24) return hashLen13to24(s);
  const tail = (offset: number): number => mul(rotr(mul(fetch32(s, n - offset), C1), 17), C2);
  let h = n >>> 0;
  let g = mul(C1, n);
  let f = g;
  h = add(mul(rotr((h ^ tail(4)) >>> 0, 19), 5), 0xe6546b64);
  h = add(mul(rotr((h ^ tail(16)) >>> 0, 19), 5), 0xe6546b64);
  g = add(mul(rotr((g ^ tail(8)) >>> 0, 19), 5), 0xe6546b64);
  g = add(mul(rotr((g ^ tail(12)) >>> 0, 19), 5), 0xe6546b64);
  f = add(rotr(add(f, tail(20)), 19), 113);
  for (let i = 0; n - i > 20; i += 20) {
    const [a, b, c, d, e] = [fetch32(s, i), fetch32(s, i + 4), fetch32(s, i + 8), fetch32(s, i + 12), fetch32(s, i + 16)];
    h = add(h, a);
    g = add(g, b);
    f = add(f, c);
    h = add(mur(d, h), e);
    g = add(mur(c, g), a);
    f = add(mur(add(b, mul(e, C1)), f), d);
    f = add(f, g);
    g = add(g, f);
  }
  g = mul(rotr(mul(rotr(g, 11), C1), 17), C1);
  f = mul(rotr(mul(rotr(f, 11), C1), 17), C1);
  h = add(mul(rotr(add(h, g), 19), 5), 0xe6546b64);
  h = mul(rotr(h, 17), C1);
  h = add(mul(rotr(add(h, f), 19), 5), 0xe6546b64);
  return mul(rotr(h, 17), C1);
}

/** Seconds from 0001-01-01 to the unix epoch, Go's internal time base. */
const UNIX_TO_INTERNAL = 62_135_596_800n;

/** Go's time.MarshalBinary of a whole-second UTC time: version 1, seconds since year 1, nanoseconds, offset -1 (UTC). */
export function goTimeBinary(unixSec: number): Uint8Array {
  const bytes = new Uint8Array(15);
  const view = new DataView(bytes.buffer);
  bytes[0] = 1;
  view.setBigInt64(1, BigInt(unixSec) + UNIX_TO_INTERNAL);
  view.setInt32(9, 0);
  view.setInt16(13, -1);
  return bytes;
}

/** The jitter (ms, in [0, maxJitterMs)) Temporal adds to the nominal time `unixSec` for a schedule with this seed. */
export function jitterMs(seed: string, unixSec: number, maxJitterMs: number): number {
  const seedBytes = new TextEncoder().encode(seed);
  const input = new Uint8Array(15 + seedBytes.length);
  input.set(goTimeBinary(unixSec));
  input.set(seedBytes, 15);
  // 32 bits of hash times at most 32 bits of milliseconds (49 days), keeping the top 32 bits: a fraction of the range.
  const range = BigInt(Math.min(Math.max(Math.trunc(maxJitterMs), 0), 0xffffffff));
  return Number((BigInt(fingerprint32(input)) * range) >> 32n);
}

/** The seed Temporal's scheduler uses: the namespace's id and the schedule's id. */
export function jitterSeed(namespaceId: string, scheduleId: string): string {
  return `${namespaceId}-${scheduleId}`;
}
