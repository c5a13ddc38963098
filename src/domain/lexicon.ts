/**
 * The report parser's configurable vocabulary: the line's sites, rooms,
 * device synonyms and the cue words that decide kind and fault level.
 *
 * Another contract or another metro line is a change to the YAML that this
 * schema validates, not to the parser. Pure: the caller reads and parses the
 * file and hands the plain object to `LexiconSchema.parse` / `compileLexicon`.
 */
import { z } from 'zod';
import type { ReaderModel } from './classifier.js';
import { buildPhoneticIndex, type PhoneticEntry } from './phonetic.js';

/**
 * Cue categories the parser's rules refer to. The words in each category are
 * configuration; what a category means is code (see report-parser.ts).
 */
export const CUE_KINDS = [
  /** Whole scope: 全部, 所有, 全站, 整个 … (with a failure → level 1). */
  'allScope',
  /** Weak whole scope ("都"): ignored when a count or a device number is given. */
  'allWeak',
  /** Many devices or several stations: 多台, 一半, 好几个 … (level 2). */
  'manyScope',
  /** One or a few identified devices: 一台, 有个, 个别, 两台 … (level 3). */
  'fewScope',
  /** Words that by themselves mean a system is down: 瘫痪, 宕机 … (level 1). */
  'systemDown',
  /** A failure: 刷不了, 黑屏, 不能用, 离线 … */
  'down',
  /** Performance degraded: 很慢, 卡顿, 延迟 … */
  'degraded',
  /** Some functions still work: 只能, 刷卡正常 … (an all-scope failure becomes level 2). */
  'partial',
  /** A major function of a running system: 报表, 日终, 对账, 上传 … (with a failure → level 2). */
  'majorFunction',
  /** An alarm or hidden danger: 告警, 异响, 鼓包 … (alone → level 4). */
  'alarm',
  /** No effect on operation yet: 不影响, 还能用 … (→ level 4). */
  'noEffect',
  /** Any other sign of a problem that makes a message a fault report: 问题, 故障, 异常 … */
  'problem',
  /** Vague problem words (问题, 故障, 出毛病, 不太对劲): a fault, but they leave the level open. */
  'vague',
  /** About the service itself: 投诉, 还没人来, 又坏了 … */
  'complaint',
  /** Resolved, false alarm, engineers' status: 已修好, 误报, 在路上 … (never a ticket). */
  'resolved',
  /** Resolution words that only count when no failure is described: 没问题, 好了 … */
  'resolvedWeak',
  /** Notices and planned work: 通知, 公告 … (never a ticket). */
  'notice',
  /** An explicit report marker: 报修, 报障, a "现象：" line (a fault unless resolved). */
  'report',
  /** Out-of-scope equipment (扶梯, 照明, 空调): alone, not a fault for this supplier. */
  'outOfScope',
  /** A question that is a consultation even if a symptom word appears: 请问, 想问 … */
  'consultStrong',
  /** A how-to or contract question: 怎么设置, 保修期, 多少钱 … */
  'consult',
  /**
   * The supplier's people and paperwork: 工程师, 师傅, 你们的人, 维修记录, 签字 … (a feature of
   * the learned reader only: with a dissatisfaction cue, a complaint about the service).
   */
  'serviceActor',
  /**
   * Dissatisfaction with how the work was done: 就走了, 没签字, 拖了几天, 又是这套说法, 态度 …
   * (a feature of the learned reader only; the rules' complaint words stay in `complaint`).
   */
  'dissatisfied',
  /** Passengers or operation affected: 乘客排队, 影响运营 … (a level feature of the learned reader). */
  'impact',
] as const;
export type CueKind = (typeof CUE_KINDS)[number];

/**
 * Cues that only the learned reader sees, as features: kept out of the dictionary scan so that
 * their words never shadow a rule's word or an entity (longest match wins there).
 */
export const FEATURE_CUES: ReadonlySet<CueKind> = new Set<CueKind>(['serviceActor', 'dissatisfied', 'impact']);

const Word = z.string().trim().min(1).max(40);
/** A regular expression source; compiled with the "u" flag. Keep them free of nested quantifiers. */
const Pattern = z
  .string()
  .min(1)
  .max(200)
  .refine((s) => {
    try {
      new RegExp(s, 'u');
      return true;
    } catch {
      return false;
    }
  }, 'not a valid regular expression');

const CueSchema = z.object({
  words: z.array(Word).default([]),
  patterns: z.array(Pattern).default([]),
});

const cueShape = Object.fromEntries(CUE_KINDS.map((k) => [k, CueSchema.default({ words: [], patterns: [] })])) as {
  [K in CueKind]: z.ZodDefault<typeof CueSchema>;
};

const LevelSchema = z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4)]);
const GradeSchema = z.enum(['A', 'B', 'C', 'D']);

export const LexiconSchema = z.object({
  /** Default area code written in front of landlines given without one (8 digits), e.g. "029". */
  areaCode: z.string().regex(/^0\d{2,3}$/),
  /** Only this many characters of a message are scanned: bounds the time any input can take. */
  maxScanChars: z.number().int().min(200).max(100_000).default(2000),
  sites: z
    .array(
      z.object({
        /** Canonical name as shown on tickets, e.g. "小寨站". */
        name: Word,
        kind: z.enum(['station', 'control', 'depot', 'line']),
        aliases: z.array(Word).default([]),
      }),
    )
    .min(1),
  /** Rooms and areas inside a site, appended to the site ("小寨站 车控室"). */
  rooms: z
    .array(
      z.object({
        name: Word,
        /**
         * "room": a device named by its room is one identified device (level 3 when broken);
         * "area": a public area with many devices (站厅, 站台), which does not identify one.
         */
        kind: z.enum(['room', 'area']).default('room'),
        aliases: z.array(Word).default([]),
        /** A room only one site has ("调度大厅": the control centre): its site when the text names none. */
        site: Word.optional(),
      }),
    )
    .default([]),
  devices: z
    .array(
      z.object({
        /** Canonical device name. */
        name: Word,
        /** Hardware faults carry the contract's on-site and spare-part clocks. */
        hardware: z.boolean(),
        /**
         * When two device words stand together ("AFC闸机", "ISCS服务器"), the later one
         * (the head noun) wins if its rank is at least the earlier one's. Systems and
         * generic words rank lower than concrete devices.
         */
        rank: z.number().int().min(0).max(9).default(2),
        synonyms: z.array(Word).min(1),
      }),
    )
    .min(1),
  /** A device becomes another when the text carries one of the words ("any": whatever device was found). */
  deviceRules: z
    .array(z.object({ device: Word, unless: z.array(Word).default([]), becomes: Word, when: z.array(Word).min(1) }))
    .default([]),
  cues: z.object(cueShape),
  /** Engineers' commands (接单, 到场 #3 …), matched at the start of a message: never a report. */
  commandPatterns: z.array(Pattern).default([]),
  /** Service grade per fault level, and for consultations (contract: B). */
  grades: z.object({
    byLevel: z.object({ 1: GradeSchema, 2: GradeSchema, 3: GradeSchema, 4: GradeSchema }),
    consultation: GradeSchema,
  }),
  /** Scope counts ("6台", "两台"): this many or more devices means "many" (level 2). */
  manyDevicesFrom: z.number().int().min(2).max(100).default(5),
});

export type Lexicon = z.infer<typeof LexiconSchema>;
export type FaultLevel = z.infer<typeof LevelSchema>;
export type ServiceGrade = z.infer<typeof GradeSchema>;

/** What one dictionary word stands for; a word may carry several tags (e.g. "全线": a site and a scope cue). */
export type Tag =
  | { t: 'site'; name: string; kind: Lexicon['sites'][number]['kind'] }
  | { t: 'room'; name: string; kind: 'room' | 'area' }
  | { t: 'device'; name: string; rank: number }
  | { t: 'cue'; cue: CueKind };

interface TrieNode {
  next: Map<string, TrieNode>;
  tags?: Tag[];
}

/** A dictionary match in the scanned text. */
export interface Hit {
  start: number;
  end: number;
  tags: Tag[];
  /** Matched by sound or by Latin letters, not as written ("小在站", "xz站"). */
  fuzzy?: true;
}

export interface CompiledLexicon {
  readonly source: Lexicon;
  /** The learned reader for kind and level (config/reader-model.json); null: rules alone. */
  readonly model: ReaderModel | null;
  readonly maxScanChars: number;
  /** Leftmost-longest, non-overlapping dictionary matches over lower-cased, normalised text. */
  scan(low: string): Hit[];
  readonly cuePatterns: ReadonlyMap<CueKind, readonly RegExp[]>;
  /** Which of the feature-only cues (FEATURE_CUES) occur in the lower-cased text, as written. */
  featureCues(low: string): CueKind[];
  readonly commandPatterns: readonly RegExp[];
  readonly hardware: ReadonlySet<string>;
  /** Rooms only one site has, and that site ("调度大厅" → "控制中心"). */
  readonly roomSite: ReadonlyMap<string, string>;
}

const ASCII_WORD = /[a-z0-9]/;

/**
 * Compile once: one trie over every site alias, room, device synonym and cue
 * word, so a message is scanned in a single left-to-right pass and the longest
 * word wins ("综合监控" is the system, not "监控" the camera; "AFC机房" is a room).
 */
export function compileLexicon(lex: Lexicon, model: ReaderModel | null = null): CompiledLexicon {
  const root: TrieNode = { next: new Map() };
  const add = (word: string, tag: Tag): void => {
    const w = lowerAscii(word.normalize('NFKC'));
    let node = root;
    for (const ch of w) {
      let n = node.next.get(ch);
      if (!n) {
        n = { next: new Map() };
        node.next.set(ch, n);
      }
      node = n;
    }
    node.tags ??= [];
    if (!node.tags.some((t) => JSON.stringify(t) === JSON.stringify(tag))) node.tags.push(tag);
  };

  // One tag object per site/device/cue, so phonetic matches carry the same tags as exact ones.
  const siteTags = new Map<string, Tag>();
  const deviceTags = new Map<string, Tag>();
  const cueTags = Object.fromEntries(CUE_KINDS.map((k) => [k, { t: 'cue', cue: k } as Tag])) as Record<CueKind, Tag>;
  for (const s of lex.sites) {
    const tag: Tag = { t: 'site', name: s.name, kind: s.kind };
    siteTags.set(s.name, tag);
    add(s.name, tag);
    for (const a of s.aliases) add(a, tag);
  }
  for (const r of lex.rooms) {
    const tag: Tag = { t: 'room', name: r.name, kind: r.kind };
    add(r.name, tag);
    for (const a of r.aliases) add(a, tag);
  }
  for (const d of lex.devices) {
    const tag: Tag = { t: 'device', name: d.name, rank: d.rank };
    deviceTags.set(`${d.name}/${d.rank}`, tag);
    add(d.name, tag);
    for (const s of d.synonyms) add(s, tag);
  }
  const phonetic: PhoneticEntry<Tag>[] = [];
  const latinTaken = new Set<string>();
  const sound = (word: string, tag: Tag, loose: boolean, latin: boolean, owner: string, primary: boolean): void => {
    const w = word.normalize('NFKC');
    if (/^[a-z]+$/iu.test(w)) latinTaken.add(w.toLowerCase());
    phonetic.push({ word: w, tag, loose, latin, owner, primary });
  };
  for (const s of lex.sites) {
    const tag = siteTags.get(s.name)!;
    const bare = s.name.replace(/站$/u, '');
    for (const a of [s.name, ...s.aliases]) sound(a, tag, true, true, s.name, a === s.name || a === bare);
  }
  for (const r of lex.rooms) for (const a of [r.name, ...r.aliases]) sound(a, { t: 'room', name: r.name, kind: r.kind }, true, true, r.name, a === r.name);
  for (const d of lex.devices) {
    for (const a of [d.name, ...d.synonyms]) sound(a, deviceTags.get(`${d.name}/${d.rank}`)!, true, true, d.name, a === d.name);
  }

  const cuePatterns = new Map<CueKind, RegExp[]>();
  // Feature-only cues: words indexed by their first character, looked up at every position.
  const featureWords = new Map<string, { word: string; cue: CueKind }[]>();
  for (const k of CUE_KINDS) {
    const c = lex.cues[k];
    if (FEATURE_CUES.has(k)) {
      for (const w of c.words) {
        const word = lowerAscii(w.normalize('NFKC'));
        if (word.length === 0) continue;
        const list = featureWords.get(word[0]!);
        if (list) list.push({ word, cue: k });
        else featureWords.set(word[0]!, [{ word, cue: k }]);
      }
      continue;
    }
    for (const w of c.words) {
      add(w, { t: 'cue', cue: k });
      sound(w, cueTags[k], false, false, k, true);
    }
    cuePatterns.set(
      k,
      c.patterns.map((p) => new RegExp(p, 'gu')),
    );
  }

  const sounds = buildPhoneticIndex(phonetic, latinTaken);

  const exactScan = (low: string): Hit[] => {
    const hits: Hit[] = [];
    const n = low.length;
    let i = 0;
    while (i < n) {
      let node: TrieNode | undefined = root;
      let bestEnd = -1;
      let bestTags: Tag[] | undefined;
      let j = i;
      // Walk by UTF-16 unit: every dictionary word was inserted the same way via for..of
      // on code points, so walk by code point too.
      while (j < n && node) {
        const cp = low.codePointAt(j)!;
        const ch = String.fromCodePoint(cp);
        node = node.next.get(ch);
        j += ch.length;
        if (node?.tags && asciiBoundaryOk(low, i, j)) {
          bestEnd = j;
          bestTags = node.tags;
        }
      }
      if (bestTags) {
        hits.push({ start: i, end: bestEnd, tags: bestTags });
        i = bestEnd;
      } else {
        i += low.codePointAt(i)! > 0xffff ? 2 : 1;
      }
    }
    return hits;
  };

  const scan = (low: string): Hit[] => {
    const hits = exactScan(low);
    const covered = new Uint8Array(low.length);
    for (const h of hits) covered.fill(1, h.start, h.end);
    const extra = sounds.scan(low, (i) => covered[i] === 1);
    if (extra.length === 0) return hits;
    for (const e of extra) hits.push({ start: e.start, end: e.end, tags: e.tags, fuzzy: true });
    return hits.sort((a, b) => a.start - b.start);
  };

  return {
    source: lex,
    model,
    maxScanChars: lex.maxScanChars,
    scan,
    cuePatterns,
    featureCues(low: string): CueKind[] {
      const found = new Set<CueKind>();
      for (let i = 0; i < low.length; i++) {
        const list = featureWords.get(low[i]!);
        if (!list) continue;
        for (const e of list) if (!found.has(e.cue) && low.startsWith(e.word, i) && asciiBoundaryOk(low, i, i + e.word.length)) found.add(e.cue);
      }
      return [...found];
    },
    commandPatterns: lex.commandPatterns.map((p) => new RegExp(p, 'u')),
    hardware: new Set(lex.devices.filter((d) => d.hardware).map((d) => d.name)),
    roomSite: new Map(lex.rooms.flatMap((r) => (r.site ? [[r.name, r.site] as const] : []))),
  };
}

/**
 * A Latin word ("ups", "pis", "sc") must not be cut out of a longer Latin
 * word ("groups", "disc"); digits may follow ("TVM03"), letters may not.
 */
function asciiBoundaryOk(s: string, start: number, end: number): boolean {
  const first = s[start]!;
  const last = s[end - 1]!;
  if (/[a-z]/.test(first) && start > 0 && /[a-z]/.test(s[start - 1]!)) return false;
  if (/[a-z]/.test(last) && end < s.length && /[a-z]/.test(s[end]!)) return false;
  if (/[0-9]/.test(first) && start > 0 && ASCII_WORD.test(s[start - 1]!)) return false;
  return true;
}

/** Lower-case ASCII letters only, so string offsets stay the same as the input's. */
export function lowerAscii(s: string): string {
  return s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}
