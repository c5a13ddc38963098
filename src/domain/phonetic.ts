/**
 * Sound-alike matching of the lexicon: people type on phones with pinyin input
 * methods and dictate by voice, so a station or a device arrives as a homophone
 * ("小在站", "售漂机", "摄象头", "黑平"), a pinyin abbreviation ("xz站", "zj",
 * "dd台") or spelled out ("xiaozhai"). The exact dictionary scan misses those;
 * this index finds them in the stretches the exact scan left uncovered.
 *
 * Readings come from pinyin-pro (every reading of a polyphone), memoised per
 * character, so a message costs a map lookup per character after warm-up.
 * Pure: no I/O; the memo is a cache of a pure function.
 */
import { distance } from 'fastest-levenshtein';
import { pinyin } from 'pinyin-pro';

/** What a phonetic match stands for: the caller's own tag type. */
export interface PhoneticEntry<T> {
  /** The dictionary word as written, Chinese characters only (e.g. "小寨", "闸机"). */
  word: string;
  tag: T;
  /** Sites and devices may also match loosely (z/zh, n/ng, no tones); cue words only by exact sound. */
  loose: boolean;
  /** Also match the word's pinyin initials or full pinyin written in Latin letters. */
  latin: boolean;
  /** What the word names (a site's or device's canonical name): abbreviations shared by two owners are ambiguous. */
  owner: string;
  /** The canonical name itself: its abbreviation wins over a synonym's ("zj" is 闸机, not 综监). */
  primary: boolean;
}

export interface PhoneticHit<T> {
  start: number;
  end: number;
  tags: T[];
}

interface PNode<T> {
  next: Map<string, PNode<T>>;
  tags?: T[];
  /** Syllables from the root: a match needs at least two. */
  depth: number;
}

const CJK = /[\u4e00-\u9fff]/u;
const readingsMemo = new Map<string, readonly string[]>();

/** Every reading of one character, with tone numbers ("xiao3"); empty for non-Chinese characters. */
export function readings(ch: string): readonly string[] {
  let r = readingsMemo.get(ch);
  if (r) return r;
  r = CJK.test(ch) ? [...new Set(pinyin(ch, { type: 'array', toneType: 'num', multiple: true }).map(cleanSyllable))] : [];
  // The memo is bounded by the CJK block (about 21k characters).
  readingsMemo.set(ch, r);
  return r;
}

const looseMemo = new Map<string, readonly string[]>();

/** The loose keys of a character's readings, with and without the tone ("zai", "zai4"). */
function looseKeysOf(ch: string): readonly string[] {
  let r = looseMemo.get(ch);
  if (r) return r;
  const keys = new Set<string>();
  for (const x of readings(ch)) {
    const lk = looseKey(x);
    keys.add(lk);
    const tone = /\d$/u.exec(x)?.[0];
    if (tone) keys.add(lk + tone);
  }
  r = [...keys];
  looseMemo.set(ch, r);
  return r;
}

/** "lü" and "lv" alike; tone 5 (neutral) written as no digit. */
function cleanSyllable(s: string): string {
  return s.replace(/ü/gu, 'v').replace(/5$/u, '');
}

/** Loose key: no tone, zh/ch/sh as z/c/s, -ng as -n (the commonest input and accent confusions). */
export function looseKey(syllable: string): string {
  return syllable
    .replace(/\d$/u, '')
    .replace(/^([zcs])h/u, '$1')
    .replace(/ng$/u, 'n');
}

/** The readings of a word in context (pinyin-pro picks polyphones by the word: 行政 xing2). */
function wordSyllables(word: string): string[] {
  return pinyin(word, { type: 'array', toneType: 'num' }).map(cleanSyllable);
}

// Latin words that are English, not abbreviations: never read as a place or device.
const LATIN_STOP = new Set([
  'am', 'an', 'as', 'at', 'be', 'by', 'do', 'go', 'he', 'hi', 'if', 'in', 'is', 'it', 'me', 'my', 'no', 'of', 'ok', 'on', 'or',
  'so', 'to', 'up', 'us', 'we', 'pm', 'id', 'ip', 'pc', 'tv', 'hr', 'ms', 'qq', 'vs', 'pls', 'plz', 'thx', 'asap', 'the', 'and',
]);

export interface PhoneticIndex<T> {
  /** Sound-alike and Latin-letter matches in the stretches of `low` not covered by `covered`. */
  scan(low: string, covered: (i: number) => boolean): PhoneticHit<T>[];
}

/**
 * Build the index. Words of fewer than two Chinese characters are left out:
 * one syllable has too many homophones to be evidence of anything.
 */
export function buildPhoneticIndex<T>(entries: readonly PhoneticEntry<T>[], latinTaken: ReadonlySet<string>): PhoneticIndex<T> {
  const strict: PNode<T> = { next: new Map(), depth: 0 };
  const loose: PNode<T> = { next: new Map(), depth: 0 };
  const latin = new Map<string, T[]>();
  const fullPinyin: { key: string; tags: T[] }[] = [];

  const insert = (root: PNode<T>, keys: string[], tag: T): void => {
    let node = root;
    for (const k of keys) {
      let n = node.next.get(k);
      if (!n) {
        n = { next: new Map(), depth: node.depth + 1 };
        node.next.set(k, n);
      }
      node = n;
    }
    node.tags ??= [];
    if (!node.tags.includes(tag)) node.tags.push(tag);
  };
  const latinOwners = new Map<string, { owners: Set<string>; primary: string | null }>();
  const addLatin = (key: string, e: PhoneticEntry<T>): void => {
    if (key.length < 2 || LATIN_STOP.has(key) || latinTaken.has(key)) return;
    const o = latinOwners.get(key) ?? { owners: new Set<string>(), primary: null };
    o.owners.add(e.owner);
    if (e.primary && o.primary === null) o.primary = e.owner;
    latinOwners.set(key, o);
    const list = latin.get(key) ?? [];
    if (!list.includes(e.tag)) list.push(e.tag);
    latin.set(key, list);
  };

  for (const e of entries) {
    if (!/^[\u4e00-\u9fff]{2,12}$/u.test(e.word)) continue;
    const syl = wordSyllables(e.word);
    if (syl.length !== [...e.word].length) continue;
    insert(strict, syl, e.tag);
    if (e.loose) {
      // Three syllables and more carry enough sound to match without tones.
      insert(loose, syl.map((s) => (syl.length >= 3 ? looseKey(s) : looseKey(s) + (s.match(/\d$/u)?.[0] ?? ''))), e.tag);
    }
    if (e.latin) {
      const bare = syl.map((s) => s.replace(/\d$/u, ''));
      addLatin(bare.map((s) => s[0]).join(''), e);
      const full = bare.join('');
      if (full.length >= 5) fullPinyin.push({ key: full, tags: [e.tag] });
    }
  }
  // Two owners: the canonical name's abbreviation wins; between synonyms, nobody can tell.
  for (const [k, o] of latinOwners) {
    if (o.owners.size <= 1) continue;
    if (o.primary === null) latin.delete(k);
    else latin.set(k, (latin.get(k) ?? []).filter((_t, i, all) => entries.some((e) => e.owner === o.primary && e.tag === all[i])));
  }

  const walk = (root: PNode<T>, low: string, i: number, covered: (i: number) => boolean): PhoneticHit<T> | null => {
    // Depth-first over the readings of each character; polyphones branch, rarely more than 3 ways.
    let best: PhoneticHit<T> | null = null;
    const stack: { node: PNode<T>; j: number }[] = [{ node: root, j: i }];
    let steps = 0;
    while (stack.length > 0 && steps++ < 64) {
      const { node, j } = stack.pop()!;
      if (node.tags && node.depth >= 2 && (!best || j > best.end)) best = { start: i, end: j, tags: node.tags };
      if (j >= low.length || covered(j)) continue;
      const rs = readings(low[j]!);
      for (const r of rs) {
        const n = node.next.get(r);
        if (n) stack.push({ node: n, j: j + 1 });
      }
    }
    return best;
  };

  return {
    scan(low, covered) {
      const hits: PhoneticHit<T>[] = [];
      let i = 0;
      while (i < low.length) {
        const c = low[i]!;
        if (covered(i)) {
          i++;
          continue;
        }
        if (c >= 'a' && c <= 'z') {
          let j = i;
          while (j < low.length && low[j]! >= 'a' && low[j]! <= 'z') j++;
          const tokenOk = (i === 0 || !/[a-z0-9]/u.test(low[i - 1]!)) && !/[0-9]/u.test(low[j] ?? '');
          const h = tokenOk ? latinHit(low, i, j) : null;
          if (h) hits.push(h);
          i = h ? h.end : j;
          continue;
        }
        if (CJK.test(c)) {
          const s = walk(strict, low, i, covered);
          const l = walkLoose(low, i, covered);
          const h = s && (!l || s.end >= l.end) ? s : l;
          if (h) {
            hits.push(h);
            i = h.end;
            continue;
          }
        }
        i++;
      }
      return hits;
    },
  };

  function walkLoose(low: string, i: number, covered: (i: number) => boolean): PhoneticHit<T> | null {
    // Loose keys carry tones for two-syllable words and none for longer ones: try both shapes.
    let best: PhoneticHit<T> | null = null;
    const stack: { node: PNode<T>; j: number }[] = [{ node: loose, j: i }];
    let steps = 0;
    while (stack.length > 0 && steps++ < 128) {
      const { node, j } = stack.pop()!;
      if (node.tags && node.depth >= 2 && (!best || j > best.end)) best = { start: i, end: j, tags: node.tags };
      if (j >= low.length || covered(j)) continue;
      for (const k of looseKeysOf(low[j]!)) {
        const n = node.next.get(k);
        if (n) stack.push({ node: n, j: j + 1 });
      }
    }
    return best;
  }

  function latinHit(low: string, i: number, j: number): PhoneticHit<T> | null {
    const token = low.slice(i, j);
    // "dd台": the letters plus the initial of the Chinese character right after them.
    const next = low[j];
    if (next && CJK.test(next)) {
      for (const r of readings(next)) {
        const tags = latin.get(token + r[0]);
        if (tags) return { start: i, end: j + 1, tags };
      }
    }
    const tags = latin.get(token);
    if (tags) return { start: i, end: j, tags };
    if (token.length >= 5) {
      for (const f of fullPinyin) {
        if (Math.abs(f.key.length - token.length) <= 1 && distance(f.key, token) <= 1) return { start: i, end: j, tags: f.tags };
      }
    }
    return null;
  }
}
