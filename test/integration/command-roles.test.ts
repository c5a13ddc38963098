/**
 * Every chat command × role × whose ticket it is, through the bot (the registry's
 * role check, its ticket resolution, the ownership rule and the state machine
 * together), against a table written from the contract's roles, not from the code:
 *
 * - a customer acts on the tickets of their own chat only; confirming, rating and
 *   cancelling are the reporter's; staff commands are refused;
 * - an engineer acts only on their own jobs and on nobody's, from any chat (a job
 *   another engineer holds is theirs until a manager or the desk transfers it);
 *   reading a ticket (查询) and answering a consultation (答复) are open to any of them;
 * - the desk, the manager and the vice-president act on any ticket, from any chat,
 *   within their role (the desk takes no job itself and waives no fee).
 *
 * Each case gets a fresh ticket in the status the command applies to; a case is
 * "done" when the ticket (or its complaint record, or its audit trail) changed, or
 * for 查询 when the service record was sent; "refused" when nothing changed and the
 * sender was told why.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceBot } from '../../src/bot/bot.js';
import { COMMANDS as REGISTRY } from '../../src/bot/commands/index.js';
import type { InboundClick, InboundMessage, Mention } from '../../src/core/channel.js';
import { ManualClock } from '../../src/core/clock.js';
import type { TicketStatus } from '../../src/domain/ticket.js';
import { orgFileWith } from '../support/chaos-service.js';
import { freshStore, makeBot, quietConfig, type TestStore } from '../support/chaos.js';

const NOW = new Date('2026-11-24T02:00:00Z');
const CHAT_A = 'rt-a';
const CHAT_B = 'rt-b';

/** Who sends the command: the sandbox ids of config/org.yaml, a third engineer, and three customers. */
const SENDERS = {
  reporter: { id: 'rc1', name: '王站长', chat: CHAT_A },
  neighbour: { id: 'rc2', name: '刘站务', chat: CHAT_A },
  outsider: { id: 'rc3', name: '赵站长', chat: CHAT_B },
  engineer: { id: 'e1', name: '张工' },
  desk: { id: 'd1', name: '客服小刘' },
  manager: { id: 'm1', name: '李经理' },
  vp: { id: 'v1', name: '王总' },
} as const;
type Role = 'customer' | 'engineer' | 'desk' | 'manager' | 'vp';

/**
 * Whose ticket: the sender's own (the job assigned to this engineer; the ticket this
 * customer reported), someone else's (another engineer's job; a neighbour's report in
 * the same chat), nobody's (no engineer yet), or another chat's (given from chat B:
 * for an engineer their own job, for the desk side someone else's job; a customer of
 * chat B about chat A's ticket).
 */
type Ownership = 'own' | 'others' | 'nobody' | 'otherChat';
const OWNERSHIPS: Record<Role, Ownership[]> = {
  customer: ['own', 'others', 'otherChat'],
  engineer: ['own', 'others', 'nobody', 'otherChat'],
  desk: ['others', 'nobody', 'otherChat'],
  manager: ['others', 'nobody', 'otherChat'],
  vp: ['others', 'nobody', 'otherChat'],
};

/** Who may, as role → the ownerships it may act on. */
type Allowed = Partial<Record<Role, readonly Ownership[]>>;
const ALL: readonly Ownership[] = ['own', 'others', 'nobody', 'otherChat'];
/** An engineer on their own job or nobody's, from any chat. */
const OWN_OR_NOBODYS: readonly Ownership[] = ['own', 'nobody', 'otherChat'];
/** An engineer on the job they hold (it must be taken first). */
const HELD: readonly Ownership[] = ['own', 'otherChat'];
const DESK_SIDE: Allowed = { desk: ALL, manager: ALL, vp: ALL };

interface Case {
  /** The command as typed; {id} is the ticket's short reference. */
  text: string;
  kind?: 'fault' | 'consultation' | 'complaint';
  status: TicketStatus;
  /** The status when nobody holds the job yet (an unassigned ticket is never acknowledged or on site). */
  nobodyStatus?: TicketStatus;
  mentions?: Mention[];
  /** Given by its button instead (a command with no words of its own): the value, {id} the ticket. */
  button?: string;
  allowed: Allowed;
}

const ZHAO: Mention = { id: 'e3', name: '赵工' };

/** The table: every command that acts on a ticket. */
const COMMANDS: Record<string, Case> = {
  set_level: { text: '#{id} 改为一级', status: 'on_site', nobodyStatus: 'accepted', allowed: { engineer: OWN_OR_NOBODYS, ...DESK_SIDE } },
  query: { text: '查询 #{id}', status: 'on_site', allowed: { customer: ['own', 'others'], engineer: ALL, ...DESK_SIDE } },
  acknowledge: { text: '接单 #{id}', status: 'assigned', nobodyStatus: 'accepted', allowed: { engineer: OWN_OR_NOBODYS, manager: ['nobody'], vp: ['nobody'] } },
  assign: { text: '派单 #{id} @赵工', status: 'assigned', nobodyStatus: 'accepted', mentions: [ZHAO], allowed: DESK_SIDE },
  transfer: { text: '转派 #{id} @赵工', status: 'acknowledged', nobodyStatus: 'accepted', mentions: [ZHAO], allowed: { engineer: HELD, ...DESK_SIDE } },
  arrive: { text: '到场 #{id}', status: 'acknowledged', nobodyStatus: 'accepted', allowed: { engineer: OWN_OR_NOBODYS, ...DESK_SIDE } },
  resolve: { text: '已修复 #{id} 更换电源模块', status: 'on_site', allowed: { engineer: HELD, ...DESK_SIDE } },
  request_spare: { text: '申请备件 #{id} 读卡器', status: 'on_site', allowed: { engineer: HELD, ...DESK_SIDE } },
  replace_part: { text: '已更换 #{id} 读卡器', status: 'on_site', allowed: { engineer: OWN_OR_NOBODYS, ...DESK_SIDE } },
  medium_retained: { text: '介质已留存 #{id}', status: 'on_site', allowed: { engineer: OWN_OR_NOBODYS, ...DESK_SIDE } },
  detection_report: { text: '检测报告 #{id} 主板故障 维修费用 1200元', status: 'replacing', allowed: { engineer: HELD, ...DESK_SIDE } },
  cancel: { text: '撤销 #{id} 重复报修', status: 'acknowledged', nobodyStatus: 'accepted', allowed: { customer: ['own'], engineer: OWN_OR_NOBODYS, ...DESK_SIDE } },
  confirm: { text: '确认修复 #{id}', status: 'resolved', allowed: { customer: ['own'] } },
  deny_fix: { text: '还没好 #{id}', status: 'resolved', allowed: { customer: ['own'] } },
  rate: { text: '', button: 'rate:{id}:5', status: 'confirmed', allowed: { customer: ['own'] } },
  agree_fee: { text: '同意收费 #{id}', status: 'awaiting_fee', allowed: { customer: ['own', 'others'] } },
  waive_fee: { text: '免费处理 #{id}', status: 'awaiting_fee', allowed: { manager: ALL, vp: ALL } },
  answer: { text: '答复 #{id} 在后台导出即可', kind: 'consultation', status: 'assigned', nobodyStatus: 'accepted', allowed: { engineer: ALL, ...DESK_SIDE } },
  investigation: { text: '调查结果 #{id} 已核实并处理', kind: 'complaint', status: 'assigned', nobodyStatus: 'accepted', allowed: { engineer: OWN_OR_NOBODYS, ...DESK_SIDE } },
  correction: { text: '整改 #{id} 已复查设备', kind: 'complaint', status: 'assigned', nobodyStatus: 'accepted', allowed: { engineer: OWN_OR_NOBODYS, ...DESK_SIDE } },
  repair: { text: '收到故障件 #{id} 电源模块', status: 'on_site', allowed: { engineer: OWN_OR_NOBODYS, ...DESK_SIDE } },
  emergency_report: { text: '应急报告 #{id} 已启用备机恢复业务，原因为电源老化', status: 'on_site', allowed: { engineer: HELD, ...DESK_SIDE } },
  other_engineer: { text: '更换工程师 #{id}', kind: 'complaint', status: 'assigned', nobodyStatus: 'accepted', allowed: { customer: ['own', 'others'], engineer: OWN_OR_NOBODYS, ...DESK_SIDE } },
};

/** Commands that act on no ticket: role only. */
const CHAT_COMMANDS: Record<string, { text: string; mentions?: Mention[]; roles: readonly Role[]; done: RegExp }> = {
  help: { text: '帮助', roles: ['customer', 'engineer', 'desk', 'manager', 'vp'], done: /可用命令/ },
  my_tickets: { text: '我的工单', roles: ['customer', 'engineer', 'desk', 'manager', 'vp'], done: /工单/ },
  open_tickets: { text: '待处理', roles: ['customer', 'engineer', 'desk', 'manager', 'vp'], done: /工单|没有/ },
  bind_customer: { text: '绑定客户 测试地铁公司', roles: ['desk', 'manager', 'vp'], done: /绑定/ },
  set_role: { text: '设为工程师 @赵站长', mentions: [{ id: 'rc3', name: '赵站长' }], roles: ['manager', 'vp'], done: /设为|工程师/ },
  inspection_done: { text: '巡检完成 #99 正常', roles: ['engineer', 'desk', 'manager', 'vp'], done: /./ },
  inspection_assign: { text: '派巡检 #99 @张工', mentions: [{ id: 'e1', name: '张工' }], roles: ['desk', 'manager', 'vp'], done: /./ },
  follow_up_assign: { text: '派回访 #99 @张工', mentions: [{ id: 'e1', name: '张工' }], roles: ['desk', 'manager', 'vp'], done: /./ },
  follow_up_done: { text: '回访 #99 正常', roles: ['engineer', 'desk', 'manager', 'vp'], done: /./ },
  notice: { text: '通告 全部 周六停机', roles: ['manager', 'vp'], done: /./ },
  notice_end: { text: '结束维护 #99', roles: ['manager', 'vp'], done: /没有找到这条通告/ },
  erase_request: { text: '删除我的信息', roles: ['customer', 'engineer', 'desk', 'manager', 'vp'], done: /已收到您删除个人信息的申请/ },
  erase_person: { text: '删除个人信息 用户99', roles: ['desk', 'manager', 'vp'], done: /没有找到用户99/ },
};

let store: TestStore;
let bot: ServiceBot;
let people: Record<string, number>;
let chats: Record<string, number>;
let seq = 0;

const org = orgFileWith((y) => y.replace(/(\n\s*- \{ name: 客服小刘)/, '\n  - { name: 赵工, role: engineer, department: 系统集成部, phone: "13900000003", ids: { sandbox: e3 } }$1'));

beforeAll(async () => {
  store = await freshStore('sqlite', 'roles');
  bot = await makeBot(store.db, 'sqlite', new ManualClock(NOW), quietConfig({ ORG_FILE: org }));
  for (const c of [CHAT_A, CHAT_B]) await store.db.chat.create({ data: { channel: 'sandbox', platformId: c, purpose: 'customer', title: c } });
  for (const s of [SENDERS.reporter, SENDERS.neighbour, SENDERS.outsider]) await store.db.person.create({ data: { channel: 'sandbox', platformId: s.id, name: s.name, role: 'customer' } });
  const rows = await store.db.person.findMany({ where: { channel: 'sandbox' } });
  people = Object.fromEntries(rows.map((p) => [p.platformId, p.id]));
  expect(rows.find((p) => p.platformId === 'e3')?.role).toBe('engineer');
  chats = Object.fromEntries((await store.db.chat.findMany()).map((c) => [c.platformId, c.id]));
});
afterAll(async () => {
  await store?.close();
});

function sender(role: Role, ownership: Ownership): { id: string; name: string; chat: string } {
  if (role === 'customer') return ownership === 'own' ? SENDERS.reporter : ownership === 'others' ? SENDERS.neighbour : SENDERS.outsider;
  const s = SENDERS[role];
  return { ...s, chat: ownership === 'otherChat' ? CHAT_B : CHAT_A };
}

/** A fresh ticket in chat A, reported by the reporter, in the case's status, held by whom the ownership says. */
async function ticketFor(c: Case, role: Role, ownership: Ownership): Promise<number> {
  const n = ++seq;
  const nobody = ownership === 'nobody';
  // Whose job: the engineer's own (also when they write from another chat), nobody's, or 李工's.
  const assignee = nobody ? null : role === 'engineer' && ownership !== 'others' ? people.e1! : people.e2!;
  const status = nobody ? (c.nobodyStatus ?? c.status) : c.status;
  const kind = c.kind ?? 'fault';
  const earlier = new Date(NOW.getTime() - 3600_000);
  const t = await store.db.ticket.create({
    data: {
      number: `GD-20261124-${String(n).padStart(4, '0')}`,
      kind,
      status,
      chatId: chats[CHAT_A]!,
      reporterId: people.rc1!,
      assigneeId: ['reported', 'level_known', 'awaiting_fee'].includes(status) ? null : assignee,
      level: kind === 'fault' ? 2 : null,
      content: `${n}号闸机刷卡没反应`,
      device: '闸机',
      site: '小寨站',
      feeStatus: status === 'awaiting_fee' ? 'required' : 'none',
      reportedAt: earlier,
      levelKnownAt: earlier,
      acceptedAt: status === 'reported' || status === 'awaiting_fee' ? null : earlier,
      spareRequestedAt: status === 'replacing' ? earlier : null,
      resolvedAt: status === 'resolved' || status === 'confirmed' ? NOW : null,
      contractHash: 'test',
    },
  });
  if (kind === 'complaint') await store.db.complaint.create({ data: { ticketId: t.id, receiver: 'bot', complainant: '王站长', content: '工程师拖了三天才来' } });
  return t.id;
}

/** Everything a command could change about a ticket. */
async function state(id: number): Promise<string> {
  const { updatedAt: _u, ...t } = await store.db.ticket.findUniqueOrThrow({ where: { id } });
  const complaint = await store.db.complaint.findUnique({ where: { ticketId: id } });
  const events = await store.db.ticketEvent.count({ where: { ticketId: id } });
  return JSON.stringify({ t, complaint, events });
}

/** Sends a message (or, given `button`, clicks that button) and returns what the bot wrote; a click's toast is the first line. */
async function say(from: { id: string; name: string; chat: string }, text: string, mentions: Mention[] = [], button?: string): Promise<string[]> {
  const after = (await store.db.outbox.aggregate({ _max: { id: true } }))._max.id ?? 0;
  const n = ++seq;
  const base = { channel: 'sandbox' as const, eventId: `rt-ev-${n}`, chat: { id: from.chat, type: 'group' as const }, sender: { id: from.id, name: from.name }, at: NOW };
  if (button) {
    const click: InboundClick = { ...base, type: 'click', messageId: 'rt-card', value: button };
    const r = await bot.receive(click);
    const rows = await store.db.outbox.findMany({ where: { id: { gt: after } }, orderBy: { id: 'asc' } });
    return [JSON.stringify({ toast: r.toast ?? '', mentions: [{ id: from.id }] }), ...rows.map((r) => JSON.stringify(JSON.parse(r.action)))];
  }
  const ev: InboundMessage = { ...base, type: 'message', messageId: `rt-m-${n}`, text, mentions, mentionsBot: true };
  await bot.receive(ev);
  const rows = await store.db.outbox.findMany({ where: { id: { gt: after } }, orderBy: { id: 'asc' } });
  return rows.map((r) => JSON.stringify(JSON.parse(r.action)));
}

const ROLES: Role[] = ['customer', 'engineer', 'desk', 'manager', 'vp'];
const rows = Object.entries(COMMANDS).flatMap(([name, c]) =>
  ROLES.flatMap((role) => OWNERSHIPS[role].map((ownership) => [name, role, ownership, c.allowed[role]?.includes(ownership) ? 'done' : 'refused'] as const)),
);

/** Not in the tables: the buttons of a question the bot asked one person (需要为此报修吗, which ticket), answered by that person. */
const ELSEWHERE = ['is_fault_choice', 'which_choice'];

it('the tables name every command of the registry', () => {
  const names = REGISTRY.map((c) => c.name).sort();
  expect([...Object.keys(COMMANDS), ...Object.keys(CHAT_COMMANDS), ...ELSEWHERE].sort()).toEqual(names);
  for (const c of REGISTRY) expect(c.target === 'ticket', c.name).toBe(c.name in COMMANDS);
});

describe('every ticket command × role × whose ticket', () => {
  it(`covers ${Object.keys(COMMANDS).length} commands × 16 role-ownership pairs, with both outcomes for each command`, () => {
    expect(rows).toHaveLength(Object.keys(COMMANDS).length * 16);
    for (const name of Object.keys(COMMANDS)) {
      expect(rows.some((r) => r[0] === name && r[3] === 'done'), name).toBe(true);
      expect(rows.some((r) => r[0] === name && r[3] === 'refused'), name).toBe(true);
    }
  });

  it.each(rows)('%s by %s on %s → %s', async (name, role, ownership, outcome) => {
    const c = COMMANDS[name]!;
    const id = await ticketFor(c, role, ownership);
    const before = await state(id);
    const from = sender(role, ownership);
    const said = await say(from, c.text.replace('{id}', String(id)), c.mentions, c.button?.replace('{id}', String(id)));
    const after = await state(id);
    const text = said.join('\n');
    if (outcome === 'done') {
      if (name === 'query') expect(text, text).toContain('客户服务记录');
      else expect(after, `${name} by ${role} on ${ownership} changed nothing; the bot said:\n${text}`).not.toBe(before);
    } else {
      expect(after, `${name} by ${role} on ${ownership} was carried out; the bot said:\n${text}`).toBe(before);
      expect(text).not.toContain('客户服务记录');
      // The sender is told, politely and by name.
      expect(said.length, `no answer to ${name} by ${role} on ${ownership}`).toBeGreaterThan(0);
      expect(text).toMatch(/抱歉|只有|不是派给您|已派给其他工程师|没有找到|请由报修|不能|需由|已确定|由该工单的处理工程师/);
      expect(text).toContain(from.id);
    }
  });
});

describe('every chat command × role', () => {
  const chatRows = Object.entries(CHAT_COMMANDS).flatMap(([name, c]) => ROLES.map((role) => [name, role, c.roles.includes(role) ? 'done' : 'refused'] as const));
  it.each(chatRows)('%s by %s → %s', async (name, role, outcome) => {
    const c = CHAT_COMMANDS[name]!;
    const rolesBefore = JSON.stringify(await store.db.person.findMany({ select: { id: true, role: true }, orderBy: { id: 'asc' } }));
    const bindingsBefore = JSON.stringify(await store.db.chat.findMany({ select: { id: true, customerId: true }, orderBy: { id: 'asc' } }));
    const said = (await say(sender(role, 'own'), c.text, c.mentions)).join('\n');
    const changed = JSON.stringify(await store.db.person.findMany({ select: { id: true, role: true }, orderBy: { id: 'asc' } })) !== rolesBefore || JSON.stringify(await store.db.chat.findMany({ select: { id: true, customerId: true }, orderBy: { id: 'asc' } })) !== bindingsBefore;
    if (outcome === 'done') {
      expect(said).toMatch(c.done);
      expect(said).not.toMatch(/"text":"抱歉，/);
      if (name === 'set_role' || name === 'bind_customer') expect(changed, said).toBe(true);
    } else {
      expect(said).toMatch(/"text":"抱歉，/);
      expect(changed).toBe(false);
    }
    // Undo what a role or binding change did, so the next row starts alike.
    await store.db.person.updateMany({ where: { platformId: 'rc3' }, data: { role: 'customer' } });
    await store.db.chat.updateMany({ data: { customerId: null } });
  });
});
