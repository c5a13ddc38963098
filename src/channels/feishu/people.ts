/**
 * Who people are, without holding an event's answer.
 *
 * Feishu events carry open_ids only. Names come from three places:
 *  - the contact API (contact.user.get), for people of the app's own tenant:
 *    name and departments (departments map to roles in the organisation file);
 *  - the chat members API (im.v1.chatMembers.get), the only source for people of
 *    another tenant in an external group (外部群): the contact API cannot read
 *    them, so it is never asked about them;
 *  - the mentions of every event: a mention carries the person's name as the
 *    chat shows it, whichever tenant they belong to.
 * Everything is cached; cached() answers at once, lookups run in the
 * background or within a caller's budget, and a failed lookup is remembered
 * briefly so a stream of events does not hammer the API.
 */
export interface FeishuUserProfile {
  name: string;
  /** open_department_id values ("od-…"): configuration maps roles by department. */
  departmentIds: string[];
}

/** A small LRU with per-entry expiry. */
export class TtlLru<V> {
  private readonly map = new Map<string, { v: V; until: number }>();
  constructor(
    private readonly max: number,
    private readonly now: () => number,
  ) {}
  get(k: string): V | undefined {
    const e = this.map.get(k);
    if (!e) return undefined;
    if (e.until <= this.now()) {
      this.map.delete(k);
      return undefined;
    }
    this.map.delete(k);
    this.map.set(k, e);
    return e.v;
  }
  set(k: string, v: V, ttlMs: number): void {
    this.map.delete(k);
    this.map.set(k, { v, until: this.now() + ttlMs });
    while (this.map.size > this.max) {
      const oldest = this.map.keys().next().value;
      if (oldest === undefined) break;
      this.map.delete(oldest);
    }
  }
  get size(): number {
    return this.map.size;
  }
}

export interface ChatMember {
  openId: string;
  name: string;
  tenantKey?: string;
}

export interface PeopleSources {
  /** contact.user.get: null when the user is unknown or not readable. Throws on transient failures. */
  contact(openId: string): Promise<FeishuUserProfile | null>;
  /** Every member of a chat (bots excluded by Feishu). Throws on failure. */
  members(chatId: string): Promise<ChatMember[]>;
}

export interface PeopleOptions {
  profileTtlMs?: number;
  membersTtlMs?: number;
  cacheSize?: number;
  now?: () => number;
  onError?: (what: string, err: unknown) => void;
}

/** `p`, or `fallback` if it rejects or takes longer than `ms`. */
export async function within<T>(p: Promise<T>, ms: number, fallback: T): Promise<T> {
  if (ms <= 0) return fallback;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(fallback), ms);
    timer.unref?.();
  });
  try {
    return await Promise.race([p.catch(() => fallback), late]);
  } finally {
    clearTimeout(timer);
  }
}

export class FeishuPeople {
  private readonly profiles: TtlLru<FeishuUserProfile | null>;
  /** Names by open_id from mentions and chat members (any tenant). */
  private readonly names: TtlLru<string>;
  private readonly chatMembers: TtlLru<Map<string, ChatMember>>;
  private readonly inflight = new Map<string, Promise<unknown>>();
  /** Chats whose members could not be read (no sharing yet, bot not in them). */
  private readonly unreadable = new Set<string>();
  private readonly profileTtlMs: number;
  private readonly membersTtlMs: number;

  constructor(
    private readonly sources: PeopleSources,
    private readonly o: PeopleOptions = {},
  ) {
    const now = o.now ?? Date.now;
    const size = o.cacheSize ?? 5000;
    this.profiles = new TtlLru(size, now);
    this.names = new TtlLru(size * 4, now);
    this.chatMembers = new TtlLru(500, now);
    this.profileTtlMs = o.profileTtlMs ?? 30 * 60_000;
    this.membersTtlMs = o.membersTtlMs ?? 10 * 60_000;
  }

  /** A name the platform showed for this person (a mention, a member list). */
  rememberName(openId: string, name: string): void {
    if (openId && name) this.names.set(openId, name, 24 * 60 * 60_000);
  }

  /** What is known now, without any request. */
  cached(openId: string, chatId?: string): { name?: string; departmentIds?: string[] } {
    const profile = this.profiles.get(openId);
    const member = chatId ? this.chatMembers.get(chatId)?.get(openId) : undefined;
    const name = profile?.name || member?.name || this.names.get(openId);
    return { ...(name ? { name } : {}), ...(profile?.departmentIds.length ? { departmentIds: [...profile.departmentIds] } : {}) };
  }

  /**
   * The app just reached this chat (a send went through): if its members could
   * not be read before (external sharing turned on since, bot added), read them again.
   */
  chatReachable(chatId: string): void {
    if (!this.unreadable.delete(chatId)) return;
    this.chatMembers.set(chatId, new Map(), 0);
    void this.members(chatId);
  }

  /** Own-tenant profile (contact API), single-flight, cached; null when unknown. */
  profile(openId: string): Promise<FeishuUserProfile | null> {
    const hit = this.profiles.get(openId);
    if (hit !== undefined) return Promise.resolve(hit);
    return this.once(`p:${openId}`, async () => {
      try {
        const p = await this.sources.contact(openId);
        this.profiles.set(openId, p, p ? this.profileTtlMs : 60_000);
        return p;
      } catch (err) {
        this.o.onError?.('contact.user.get', err);
        return null;
      }
    });
  }

  /** Members of a chat by open_id, single-flight, cached; empty when unreadable. */
  members(chatId: string): Promise<Map<string, ChatMember>> {
    const hit = this.chatMembers.get(chatId);
    if (hit) return Promise.resolve(hit);
    return this.once(`m:${chatId}`, async () => {
      try {
        const list = await this.sources.members(chatId);
        const map = new Map(list.map((m) => [m.openId, m]));
        for (const m of list) this.rememberName(m.openId, m.name);
        this.chatMembers.set(chatId, map, this.membersTtlMs);
        return map;
      } catch (err) {
        this.o.onError?.('im.chatMembers.get', err);
        // Remembered briefly: a chat the app cannot read is not asked again at every message.
        const empty = new Map<string, ChatMember>();
        this.chatMembers.set(chatId, empty, 30_000);
        this.unreadable.add(chatId);
        return empty;
      }
    });
  }

  /**
   * Name (and departments, for the own tenant) of a sender. `external`: the
   * sender belongs to another tenant, so only chat members and mentions are
   * asked. Waits at most `budgetMs` for what is not cached; what arrives later
   * is cached for the next event.
   */
  async lookup(openId: string, o: { chatId?: string; external: boolean; budgetMs: number }): Promise<{ name?: string; departmentIds?: string[] }> {
    const now = this.cached(openId, o.chatId);
    if (now.name && (o.external || this.profiles.get(openId) !== undefined)) return now;
    const pending: Promise<unknown>[] = [];
    if (!o.external) pending.push(this.profile(openId));
    if (o.chatId && !now.name) pending.push(this.members(o.chatId));
    await within(Promise.all(pending), o.budgetMs, undefined);
    return this.cached(openId, o.chatId);
  }

  private once<T>(key: string, run: () => Promise<T>): Promise<T> {
    const existing = this.inflight.get(key) as Promise<T> | undefined;
    if (existing) return existing;
    const p = run().finally(() => this.inflight.delete(key));
    this.inflight.set(key, p);
    return p;
  }
}
