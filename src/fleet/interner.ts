// Compact phone states for 100,000 phones in one process (issue #8 §3): maps of equal content
// (config, origins, …) are kept once and shared, frozen, by every phone whose state holds them.
import type { Origin, PhoneState } from '../phone/state.js';

type MapField = 'config' | 'origins' | 'provisioned' | 'local' | 'md5' | 'certificates';
type StringMap = Readonly<Record<string, string>>;
type OriginMap = Readonly<Record<string, Origin>>;
type SharedMap = StringMap | OriginMap;

interface Kept {
  readonly map: SharedMap;
  /** Its number of keys (Object.keys of a 400-key map costs more than comparing it). */
  readonly size: number;
}

export class StateInterner {
  /** Content hash → the maps kept with that hash (more than one only on a collision). */
  private readonly buckets = new Map<string, Kept[]>();
  private kept = 0;
  /** field, size, last key → the map last interned with them: most often the next one's match. */
  private readonly recent = new Map<string, Kept>();
  /** Maps handed out already: a state that went through a round unchanged costs no hashing. */
  private readonly shared = new WeakSet<object>();
  /**
   * Maps seen before and the kept map they equal: a map the engine hands to many phones (a merge
   * they share, src/engine/mergeMemo.ts) is compared once, not once per phone.
   */
  private readonly seen = new WeakMap<object, SharedMap>();
  /**
   * One frozen Origin per file and line (and one per other kind): phones whose origins differ
   * (their own MAC file) still share these.
   */
  private readonly fileOrigins = new Map<string, Map<number, Origin>>();
  private readonly otherOrigins = new Map<string, Origin>();
  /**
   * A number per distinct string seen. Hashing a map by these costs one Map lookup per key and
   * value, on the hash V8 caches in the string, instead of reading every character (JSON.stringify
   * and a digest cost twice as much); the strings are mostly shared already (the engine's parse cache).
   */
  private readonly ids = new Map<string, number>();

  /** Distinct maps kept. */
  get size(): number {
    return this.kept;
  }

  /**
   * A state equal to `state` whose maps are shared with earlier states of the same content; maps
   * seen for the first time are kept and frozen. When all its maps are shared already, `state`
   * itself is returned.
   */
  compact(state: PhoneState): PhoneState {
    const config = this.intern('config', state.config);
    const origins = this.intern('origins', state.origins);
    const provisioned = this.intern('provisioned', state.provisioned);
    const local = this.intern('local', state.local);
    const md5 = this.intern('md5', state.md5);
    const certificates = state.certificates && this.intern('certificates', state.certificates);
    if (
      config === state.config &&
      origins === state.origins &&
      provisioned === state.provisioned &&
      local === state.local &&
      md5 === state.md5 &&
      certificates === state.certificates
    ) {
      return state;
    }
    return {
      ...state,
      config,
      origins,
      provisioned,
      local,
      md5,
      ...(certificates !== undefined && { certificates }),
    };
  }

  private intern<T extends SharedMap>(field: MapField, map: T): T {
    if (this.shared.has(map)) return map;
    const known = this.seen.get(map);
    if (known) return known as T;
    const kept = this.find(field, map);
    if (kept !== map) this.seen.set(map, kept);
    return kept;
  }

  private find<T extends SharedMap>(field: MapField, map: T): T {
    const isOrigins = field === 'origins';
    const keys = Object.keys(map);
    const same = (candidate: Kept): boolean =>
      isOrigins
        ? sameEntries(candidate.map as OriginMap, candidate.size, map as OriginMap, keys, sameOrigin)
        : sameEntries(candidate.map as StringMap, candidate.size, map as StringMap, keys, Object.is);

    // Fast path: in a fleet provisioned from one tree the last map of this shape is most often
    // the one, and comparing costs less than hashing.
    const recentKey = `${field}:${keys.length}:${keys[keys.length - 1] ?? ''}`;
    const recent = this.recent.get(recentKey);
    if (recent && same(recent)) return recent.map as T;

    const hash = isOrigins
      ? this.originsHash(map as OriginMap, keys)
      : this.stringsHash(map as StringMap, keys);
    const bucketKey = `${field}:${keys.length}:${hash}`;
    let bucket = this.buckets.get(bucketKey);
    if (!bucket) this.buckets.set(bucketKey, (bucket = []));
    let found = bucket.find(same);
    if (!found) {
      // The engine never changes a map once a state holds it (each round and UI change copies),
      // so the map itself is kept and frozen: copying a 400-key map would cost three times more.
      // Origins are copied, to point at shared Origin objects.
      const kept: SharedMap = isOrigins ? this.sharedOrigins(map as OriginMap, keys) : map;
      found = { map: Object.freeze(kept), size: keys.length };
      bucket.push(found);
      this.shared.add(found.map);
      this.kept++;
    }
    this.recent.set(recentKey, found);
    return found.map as T;
  }

  private id(text: string): number {
    let id = this.ids.get(text);
    if (id === undefined) this.ids.set(text, (id = this.ids.size + 1));
    return id;
  }

  /**
   * Two 32-bit hashes over the ids of the keys and values, in order: equal maps built in another
   * order may be kept twice, which costs memory, never correctness (a match is always compared).
   */
  private stringsHash(map: StringMap, keys: readonly string[]): string {
    let h1 = 0x811c9dc5;
    let h2 = 0x9747b28c;
    for (const key of keys) {
      const k = this.id(key);
      const v = this.id(map[key]!);
      h1 = Math.imul(Math.imul(h1 ^ k, 0x01000193) ^ v, 0x01000193);
      h2 = Math.imul(h2 ^ Math.imul(k, 0xcc9e2d51), 0x1b873593) + v;
      h2 ^= h2 >>> 15;
    }
    return `${h1 >>> 0}.${h2 >>> 0}`;
  }

  private originsHash(map: OriginMap, keys: readonly string[]): string {
    let h1 = 0x811c9dc5;
    let h2 = 0x9747b28c;
    for (const key of keys) {
      const origin = map[key]!;
      const k = this.id(key);
      const v =
        origin.kind === 'file' ? Math.imul(this.id(origin.file), 65_599) + origin.line : this.id(origin.kind);
      h1 = Math.imul(Math.imul(h1 ^ k, 0x01000193) ^ v, 0x01000193);
      h2 = Math.imul(h2 ^ Math.imul(k, 0xcc9e2d51), 0x1b873593) + v;
      h2 ^= h2 >>> 15;
    }
    return `${h1 >>> 0}.${h2 >>> 0}`;
  }

  private sharedOrigins(map: OriginMap, keys: readonly string[]): Record<string, Origin> {
    const copy: Record<string, Origin> = {};
    for (const key of keys) {
      const origin = this.origin(map[key]!);
      // A key such as `__proto__` stays a key, not the copy's prototype.
      if (key === '__proto__') {
        Object.defineProperty(copy, key, {
          value: origin,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      } else {
        copy[key] = origin;
      }
    }
    return copy;
  }

  /** Origin's fields as src/phone/state.ts defines them: kind, and file and line for a file. */
  private origin(origin: Origin): Origin {
    if (origin.kind !== 'file') {
      let found = this.otherOrigins.get(origin.kind);
      if (!found) this.otherOrigins.set(origin.kind, (found = Object.freeze({ ...origin })));
      return found;
    }
    let byLine = this.fileOrigins.get(origin.file);
    if (!byLine) this.fileOrigins.set(origin.file, (byLine = new Map<number, Origin>()));
    let found = byLine.get(origin.line);
    if (!found) byLine.set(origin.line, (found = Object.freeze({ ...origin })));
    return found;
  }
}

/** The same keys with equal values. */
function sameEntries<V>(
  kept: Readonly<Record<string, V>>,
  keptSize: number,
  map: Readonly<Record<string, V>>,
  keys: readonly string[],
  same: (a: V, b: V) => boolean,
): boolean {
  if (keptSize !== keys.length) return false;
  for (const key of keys) {
    if (!Object.hasOwn(kept, key) || !same(kept[key]!, map[key]!)) return false;
  }
  return true;
}

function sameOrigin(a: Origin, b: Origin): boolean {
  if (a === b) return true;
  if (a.kind !== b.kind) return false;
  return a.kind !== 'file' || (b.kind === 'file' && a.file === b.file && a.line === b.line);
}
