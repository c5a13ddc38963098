/**
 * Realistic demonstration and benchmark data, written straight into the store:
 * tickets of every kind, level and status over the last N days, with their step
 * times, audit trail, timers, ratings (some dissatisfied), complaints, breaches
 * (with their escalation events), inbound events and outbox rows (a few failed).
 *
 * Rows follow the model and the contract: step times are in order, statuses match
 * the steps reached by `now`, deadlines and escalations come from the SLA policy
 * (deadlines(), timerPlan()), and ticket numbers continue the per-day counters.
 *
 * Two writers: for SQLite, prepared statements on better-sqlite3 (2000 tickets in
 * about a second, 1M in minutes); for PostgreSQL, Prisma createMany in batches.
 */
import { DateTime } from 'luxon';
import type { ContractEntry } from '../core/contracts.js';
import type { FaultLevel, TicketKind, TicketStep } from '../domain/contract.js';
import { deadlines, timerPlan, type SlaTicket } from '../domain/sla.js';
import type { TicketStatus } from '../domain/ticket.js';
import type { Db } from '../store/types.js';

export interface SeedOptions {
  tickets: number;
  days: number;
  now: Date;
  /** PRNG seed: the same seed gives the same data. */
  seed?: number;
  /** SQLite file to write with better-sqlite3 directly (bulk mode). */
  sqliteFile?: string;
  /** Rows per transaction. */
  batch?: number;
  /** Skip the per-ticket inbound/outbox rows and most audit events (bulk benchmarks). */
  lean?: boolean;
  onProgress?: (done: number, total: number) => void;
}

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const STATIONS = ['北客站', '北苑', '运动公园', '行政中心', '凤城五路', '市图书馆', '大明宫西', '龙首原', '安远门', '北大街', '钟楼', '永宁门', '南稍门', '体育场', '小寨', '纬一街', '会展中心', '三爻', '凤栖原', '航天城', '韦曲南', '控制中心'];
const DEVICES: Array<{ name: string; hardware: boolean; symptoms: string[] }> = [
  { name: '服务器', hardware: true, symptoms: ['宕机无法登录', '风扇告警', '内存报错', '磁盘亮黄灯'] },
  { name: '交换机', hardware: true, symptoms: ['端口频繁down', '整机断电', '光模块告警'] },
  { name: '存储', hardware: true, symptoms: ['硬盘故障告警', '控制器切换', '容量告警'] },
  { name: '闸机', hardware: true, symptoms: ['扇门不动作', '读卡无反应', '通行指示灯不亮'] },
  { name: '自动售票机', hardware: true, symptoms: ['不出票', '纸币模块卡币', '黑屏'] },
  { name: '乘客信息屏', hardware: true, symptoms: ['黑屏', '花屏', '显示内容不更新'] },
  { name: '摄像机', hardware: true, symptoms: ['画面丢失', '图像模糊', '云台不转'] },
  { name: 'UPS', hardware: true, symptoms: ['电池告警', '旁路运行', '输出异常'] },
  { name: '应用软件', hardware: false, symptoms: ['报表导不出', '登录很慢', '数据不同步', '界面报错'] },
];
const ENGINEERS = ['张工', '李工', '王工', '赵工', '刘工', '陈工', '杨工', '周工'];
const CUSTOMERS = ['王工', '刘师傅', '陈站长', '赵值班员', '孙主任', '马工', '何师傅', '郭值班员', '吴工', '高站长', '林师傅', '罗工'];
const COMMENTS_BAD = ['响应太慢了', '来了两次才修好', '工程师态度不好', '问题反复出现', '没按约定时间到场'];
const COMMENTS_GOOD = ['处理及时', '工程师很专业', '辛苦了', null, null, null];
const LINE3 = '西安地铁三号线运营分公司';

const pick = <T>(rng: () => number, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;
/** Log-normal minutes with the given median; spread 0.6 ≈ most within ×3. */
const lognormal = (rng: () => number, median: number, spread = 0.6): number => {
  const u = Math.max(1e-9, rng());
  const v = rng();
  return median * Math.exp(spread * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v));
};
const weighted = <T>(rng: () => number, table: ReadonlyArray<readonly [T, number]>): T => {
  let r = rng() * table.reduce((a, [, w]) => a + w, 0);
  for (const [v, w] of table) if ((r -= w) < 0) return v;
  return table[table.length - 1]![0];
};

type Row = Record<string, unknown>;
interface SeedTicket {
  ticket: Row;
  events: Row[];
  timers: Row[];
  rating: Row | null;
  complaint: Row | null;
  nonConformance: Row | null;
  inbound: Row | null;
  outbox: Row[];
  /** Day key (yyyyMMdd) for the number, filled in by the writer. */
  day: string;
}

interface Directory {
  customers: Array<{ id: number; name: string; chatId: number; chatPlatformId: string; channel: string }>;
  reporters: Array<{ id: number; name: string; phone: string | null }>;
  engineers: Array<{ id: number; name: string; department: string | null }>;
  manager: { id: number } | null;
  desk: { id: number; name: string } | null;
}

/** Makes sure the people and chats the data refers to exist; returns their ids. */
async function directory(db: Db): Promise<Directory> {
  if (!(await db.customer.findUnique({ where: { name: LINE3 } }))) {
    const c = await db.customer.create({ data: { name: LINE3, warrantyStart: new Date('2025-01-01T00:00:00+08:00'), warrantyEnd: new Date('2029-12-31T23:59:59+08:00') } });
    await db.chat.upsert({
      where: { channel_platformId: { channel: 'sandbox', platformId: 'line3' } },
      update: { customerId: c.id },
      create: { channel: 'sandbox', platformId: 'line3', title: '三号线报修群', purpose: 'customer', customerId: c.id },
    });
  }
  const allChats = await db.chat.findMany({ where: { purpose: 'customer', customerId: { not: null } }, include: { customer: true }, orderBy: { id: 'asc' } });
  const person = async (platformId: string, name: string, role: string, department: string | null, phone: string | null) =>
    db.person.upsert({
      where: { channel_platformId: { channel: 'sandbox', platformId } },
      update: {},
      create: { channel: 'sandbox', platformId, name, role, department, phone },
    });
  const engineers = [];
  const existingEngineers = await db.person.findMany({ where: { role: 'engineer' }, orderBy: { id: 'asc' } });
  for (const p of existingEngineers) engineers.push(p);
  for (const [i, name] of ENGINEERS.entries()) {
    if (engineers.some((e) => e.name === name)) continue;
    engineers.push(await person(`seed-e${i + 1}`, name, 'engineer', i % 2 ? '系统集成部' : '运维服务部', `1390000${String(1000 + i)}`));
  }
  const reporters = [];
  for (const [i, name] of CUSTOMERS.entries()) reporters.push(await person(`seed-c${i + 1}`, name, 'customer', null, `1370000${String(2000 + i)}`));
  const manager = (await db.person.findFirst({ where: { role: 'manager' }, orderBy: { id: 'asc' } })) ?? (await person('seed-m1', '李经理', 'manager', '系统集成部', null));
  const desk = (await db.person.findFirst({ where: { role: 'desk' }, orderBy: { id: 'asc' } })) ?? (await person('seed-d1', '客服小刘', 'desk', '客户服务部', null));
  return {
    customers: allChats.map((c) => ({ id: c.customerId!, name: c.customer!.name, chatId: c.id, chatPlatformId: c.platformId, channel: c.channel })),
    reporters: reporters.map((r) => ({ id: r.id, name: r.name, phone: r.phone })),
    engineers: engineers.map((e) => ({ id: e.id, name: e.name, department: e.department })),
    manager: { id: manager.id },
    desk: { id: desk.id, name: desk.name },
  };
}

const STEPS: TicketStep[] = ['reportedAt', 'levelKnownAt', 'acceptedAt', 'assignedAt', 'acknowledgedAt', 'onSiteAt', 'spareRequestedAt', 'detectionReportAt', 'resolvedAt', 'confirmedAt', 'ratedAt', 'closedAt'];

/** One ticket's life up to `now`. */
function makeTicket(rng: () => number, dir: Directory, entry: ContractEntry, now: Date, days: number, lean: boolean): SeedTicket {
  const tz = entry.contract.timezone;
  // Report time: uniform over the days, weighted to working hours.
  let reported: Date;
  for (;;) {
    const t = now.getTime() - rng() * days * 86_400_000;
    const hour = DateTime.fromMillis(t, { zone: tz }).hour;
    const w = hour >= 8 && hour < 20 ? 1 : hour >= 6 && hour < 23 ? 0.4 : 0.12;
    if (rng() < w) {
      reported = new Date(Math.floor(t / 1000) * 1000);
      break;
    }
  }
  const at = (base: Date, minutes: number) => new Date(base.getTime() + Math.max(0.2, minutes) * 60_000);
  const kind: TicketKind = weighted(rng, [['fault', 80], ['consultation', 15], ['complaint', 5]] as const);
  const customer = rng() < 0.75 ? dir.customers[0]! : pick(rng, dir.customers);
  const reporter = pick(rng, dir.reporters);
  const engineer = pick(rng, dir.engineers);
  const device = pick(rng, DEVICES);
  const site = pick(rng, STATIONS);
  const symptom = pick(rng, device.symptoms);
  const level: FaultLevel | null = kind === 'fault' ? weighted(rng, [[1, 5], [2, 15], [3, 45], [4, 35]] as const) : null;
  const hardware = kind === 'fault' && device.hardware;
  const grade = kind === 'consultation' ? 'B' : level === 1 ? 'A' : level === 2 ? 'C' : pick(rng, ['C', 'D']);
  const lateResponse = rng() < 0.08;
  const lateOnSite = rng() < 0.04;

  const s: Partial<Record<TicketStep | 'cancelledAt', Date>> = { reportedAt: reported };
  let content: string;
  if (kind === 'fault') {
    content = `${site}站${device.name}${symptom}，${pick(rng, ['麻烦尽快处理', '影响乘客通行', '请派人看一下', '已重启无效'])}。联系电话${reporter.phone ?? ''}`;
    s.levelKnownAt = at(reported, rng() < 0.8 ? 0.5 : lognormal(rng, 6));
    s.acceptedAt = at(s.levelKnownAt, Math.min(50, lognormal(rng, 2)));
    const ack = lateResponse ? 31 + lognormal(rng, 20) : Math.min(29, lognormal(rng, 10, 0.5));
    s.acknowledgedAt = at(reported, Math.max(ack, 2));
    // Assigned before the engineer took the job, usually; now and then the manager was slow (派单 breach).
    s.assignedAt = rng() < 0.04 ? at(s.acceptedAt, 31 + rng() * 60) : new Date(s.acceptedAt.getTime() + rng() * Math.max(0, s.acknowledgedAt.getTime() - s.acceptedAt.getTime() - 30_000));
    if (s.assignedAt > s.acknowledgedAt) s.acknowledgedAt = at(s.assignedAt, lognormal(rng, 3));
    const onSiteLimit = (level === 1 ? 24 : level === 4 ? 48 : 36) * 60;
    const remote = grade === 'D' && rng() < 0.5;
    if (!remote) s.onSiteAt = at(s.acknowledgedAt, lateOnSite ? onSiteLimit + lognormal(rng, 180) : Math.min(onSiteLimit - 30, lognormal(rng, level === 1 ? 90 : 240, 0.8)));
    const workFrom = s.onSiteAt ?? s.acknowledgedAt;
    if (hardware && rng() < 0.12) {
      s.spareRequestedAt = at(workFrom, lognormal(rng, 60));
      s.detectionReportAt = at(s.spareRequestedAt, rng() < 0.1 ? 8 * 60 + lognormal(rng, 90) : lognormal(rng, 180));
    }
    s.resolvedAt = at(s.detectionReportAt ?? workFrom, lognormal(rng, 120, 0.9));
  } else if (kind === 'consultation') {
    content = `请问${device.name}${pick(rng, ['的配置怎么修改', '怎么导出日志', '的账号怎么开通', '升级有什么注意事项'])}？`;
    s.acceptedAt = at(reported, 0.2);
    s.assignedAt = at(s.acceptedAt, lognormal(rng, 5));
    s.acknowledgedAt = at(reported, lateResponse ? 31 + lognormal(rng, 15) : Math.min(29, lognormal(rng, 12)));
    s.resolvedAt = at(s.acknowledgedAt, lognormal(rng, 20));
  } else {
    content = `${site}站${device.name}的问题${pick(rng, ['报了三次还没解决', '工程师一直没来', '修好又坏了'])}，要求${pick(rng, ['换个工程师', '尽快彻底解决', '给个说法'])}。`;
    s.acceptedAt = at(reported, 0.2);
    const due = entry.calendar.endOfNthWorkingDayAfter(reported, 2).value;
    const window = due.getTime() - reported.getTime();
    s.resolvedAt = new Date(reported.getTime() + (rng() < 0.15 ? window + lognormal(rng, 240) * 60_000 : window * (0.1 + rng() * 0.8)));
  }
  // Confirmation and rating.
  const score = weighted(rng, [[5, 55], [4, 28], [3, 8], [2, 6], [1, 3]] as const);
  if (s.resolvedAt) {
    if (kind === 'fault') s.confirmedAt = at(s.resolvedAt, lognormal(rng, 90));
    const rateFrom = s.confirmedAt ?? s.resolvedAt;
    if (kind !== 'consultation' && rng() < 0.85) s.ratedAt = at(rateFrom, lognormal(rng, 30));
  }
  const cancelled = kind === 'fault' && rng() < 0.02;

  // Cut the life at now: steps after now have not happened.
  for (const k of Object.keys(s) as Array<keyof typeof s>) if (s[k]! > now) delete s[k];
  const has = (k: TicketStep) => s[k] !== undefined;
  const dissatisfied = has('ratedAt') && score <= entry.contract.confirmation.dissatisfiedAtOrBelow;
  let status: TicketStatus;
  if (cancelled && has('acceptedAt') && !has('onSiteAt') && !has('resolvedAt')) {
    s.cancelledAt = at(s.acceptedAt!, lognormal(rng, 20));
    for (const k of ['assignedAt', 'acknowledgedAt'] as const) if (s[k] && s[k]! > s.cancelledAt) delete s[k];
    if (s.cancelledAt > now) delete s.cancelledAt;
  }
  if (s.cancelledAt) status = 'cancelled';
  else if (has('ratedAt')) {
    if (dissatisfied) {
      // Reworked: reopened, closed a day later after the rework.
      const reworkEnd = at(s.ratedAt!, lognormal(rng, 600));
      if (reworkEnd <= now) {
        status = 'closed';
        s.closedAt = reworkEnd;
      } else status = 'reopened';
    } else {
      status = 'closed';
      s.closedAt = s.ratedAt!;
    }
  } else if (has('confirmedAt')) {
    const close = at(s.confirmedAt!, entry.contract.confirmation.closeAfter.hours * 60);
    if (close <= now) {
      status = 'closed';
      s.closedAt = close;
    } else status = 'confirmed';
  } else if (has('resolvedAt')) {
    const closeAfterH = kind === 'consultation' ? entry.contract.consultationCloseAfter.hours : entry.contract.confirmation.closeAfter.hours;
    const close = at(s.resolvedAt!, closeAfterH * 60);
    if (close <= now) {
      status = 'closed';
      s.closedAt = close;
    } else status = 'resolved';
  } else if (has('detectionReportAt') || has('spareRequestedAt')) status = 'replacing';
  else if (has('onSiteAt')) status = 'on_site';
  else if (has('acknowledgedAt')) status = 'acknowledged';
  else if (has('assignedAt')) status = 'assigned';
  else if (has('acceptedAt')) status = 'accepted';
  else if (has('levelKnownAt')) status = 'level_known';
  else status = 'reported';
  const assigned = has('assignedAt') || has('acknowledgedAt');
  const confirmedFix = has('confirmedAt');
  const closedUnconfirmed = status === 'closed' && kind === 'fault' && !confirmedFix;

  const ticket: Row = {
    kind,
    status,
    customerId: customer.id,
    chatId: customer.chatId,
    reporterId: reporter.id,
    assigneeId: kind === 'complaint' ? null : assigned ? engineer.id : null,
    level: kind === 'fault' && (has('levelKnownAt') || status !== 'reported') ? level : null,
    levelProvisional: false,
    levelEvidence: '[]',
    grade,
    site: kind === 'complaint' ? null : site,
    device: device.name,
    symptom: kind === 'fault' ? symptom : null,
    contact: reporter.name,
    phone: reporter.phone,
    content,
    hardware,
    reportedAt: reported,
    ...Object.fromEntries(STEPS.filter((k) => k !== 'reportedAt').map((k) => [k, s[k] ?? null])),
    cancelledAt: s.cancelledAt ?? null,
    reopenCount: dissatisfied ? 1 : 0,
    arrivalState: s.onSiteAt ? `到场时${device.name}${symptom}，${pick(rng, ['设备告警灯常亮', '现场已断电', '客户已做初步排查', '与报修描述一致'])}` : null,
    handling: s.resolvedAt && kind === 'fault' ? pick(rng, ['更换故障部件后恢复', '重新配置后恢复', '重启服务并清理缓存', '紧固接口并测试通过', '升级固件']) : kind === 'consultation' && s.resolvedAt ? '已在群内答复' : null,
    analysis: s.resolvedAt && kind === 'fault' ? pick(rng, ['部件老化', '配置被误改', '供电不稳', '软件缺陷', '外部线路故障']) : null,
    resolutionNote: s.resolvedAt ? '已处理' : null,
    sparePart: s.spareRequestedAt ? pick(rng, ['电源模块', '硬盘', '主板', '读卡器', '风扇']) : null,
    spareNew: s.spareRequestedAt ? true : null,
    detectionReport: s.detectionReportAt ? '检测确认部件损坏，建议更换' : null,
    repairCost: s.detectionReportAt ? `${Math.round(200 + rng() * 3000)} 元` : null,
    confirmation: confirmedFix ? 'confirmed' : closedUnconfirmed ? 'unconfirmed' : null,
    feedback: has('ratedAt') ? (dissatisfied ? pick(rng, COMMENTS_BAD) : pick(rng, COMMENTS_GOOD)) : null,
    satisfaction: has('ratedAt') ? score : null,
    summary: status === 'closed' ? (has('ratedAt') ? (dissatisfied ? '客户不满意，返工后关闭' : `客户评分 ${score} 分，已关闭归档`) : closedUnconfirmed ? '客户未确认，按未确认关闭（无效记录）' : '已关闭') : null,
    contractHash: entry.hash,
    createdAt: reported,
    updatedAt: s.closedAt ?? s.ratedAt ?? s.resolvedAt ?? reported,
  };

  // Audit trail.
  const events: Row[] = [];
  const ev = (a: Date | undefined, action: string, actorId: number | null, from: string | null, to: string | null, detail: Record<string, unknown> = {}) => {
    if (a) events.push({ at: a, actorId, action, fromStatus: from, toStatus: to, detail: JSON.stringify(detail) });
  };
  ev(reported, 'reported', reporter.id, null, 'reported', { kind, text: content.slice(0, 200) });
  if (!lean) {
    ev(s.levelKnownAt, 'set_level', null, 'reported', 'level_known', { level });
    ev(s.acceptedAt, 'accept', null, kind === 'fault' ? 'level_known' : 'reported', 'accepted');
  }
  let assignedTo = engineer;
  if (ticket.assigneeId !== null) {
    // A few tickets were transferred: the first engineer held them until then.
    const transfer = s.acknowledgedAt && rng() < 0.04 ? at(s.assignedAt ?? s.acknowledgedAt, lognormal(rng, 10)) : null;
    const first = transfer ? pick(rng, dir.engineers.filter((e) => e.id !== engineer.id)) : engineer;
    ev(s.assignedAt, 'assign', dir.manager?.id ?? null, 'accepted', 'assigned', { assigneeId: first.id });
    if (transfer && transfer < (s.acknowledgedAt ?? now)) ev(transfer, 'transfer', dir.manager?.id ?? null, 'assigned', 'assigned', { assigneeId: engineer.id });
    assignedTo = engineer;
  }
  if (!lean) {
    ev(s.acknowledgedAt, 'acknowledge', assignedTo.id, 'assigned', 'acknowledged');
    ev(s.onSiteAt, 'arrive', assignedTo.id, 'acknowledged', 'on_site');
    ev(s.spareRequestedAt, 'request_spare', assignedTo.id, 'on_site', 'replacing', { part: ticket.sparePart });
    ev(s.detectionReportAt, 'detection_report', assignedTo.id, 'replacing', 'replacing', { cost: ticket.repairCost });
  }
  ev(s.resolvedAt, 'resolve', kind === 'complaint' ? (dir.desk?.id ?? null) : assignedTo.id, null, 'resolved');
  if (!lean) ev(s.confirmedAt, 'confirm', reporter.id, 'resolved', 'confirmed');
  ev(s.ratedAt, 'rate', reporter.id, kind === 'fault' ? 'confirmed' : 'resolved', dissatisfied ? 'reopened' : 'closed', { score, comment: ticket.feedback });
  if (!lean) ev(s.cancelledAt, 'cancel', dir.manager?.id ?? null, null, 'cancelled');
  if (!lean && s.closedAt && !has('ratedAt')) ev(s.closedAt, 'close', null, null, 'closed');
  if (dissatisfied) ev(s.ratedAt, 'escalation', null, null, null, { to: ['manager'], reason: 'dissatisfied' });

  // Breaches: an escalation event at each missed deadline, as the scheduler would have written.
  const sla: SlaTicket = { kind, status, level: ticket.level as FaultLevel | null, hardware, steps: { ...s } };
  for (const d of deadlines(sla, entry.contract, entry.calendar, now)) {
    if (d.met !== false || d.dueAt > now) continue;
    ev(d.dueAt, 'escalation', null, null, null, { clock: d.clock, stage: 'escalate_1', to: ['assignee', 'manager'], late: false });
  }
  // Timers of open tickets: what is still ahead is pending; escalations passed are fired.
  const timers: Row[] = [];
  const breachTimers = new Set<string>();
  for (const e of events) {
    if (e.action !== 'escalation' || !String(e.detail).includes('escalate_1')) continue;
    const clock = (JSON.parse(String(e.detail)) as { clock: string }).clock;
    breachTimers.add(`${clock}|${(e.at as Date).getTime()}`);
    timers.push({ clock, stage: 'escalate_1', dueAt: e.at, deadlineAt: e.at, state: 'fired', firedAt: e.at, late: false, createdAt: reported });
  }
  for (const p of timerPlan(sla, entry.contract, entry.calendar)) {
    if (p.stage === 'escalate_1' && breachTimers.has(`${p.clock}|${p.dueAt.getTime()}`)) continue;
    const pending = p.dueAt > now;
    if (!pending && p.stage.startsWith('remind')) continue;
    timers.push({ clock: p.clock, stage: p.stage, dueAt: p.dueAt, deadlineAt: p.deadlineAt, state: pending ? 'pending' : 'fired', firedAt: pending ? null : p.dueAt, late: false, createdAt: reported });
  }

  const rating = has('ratedAt') ? { raterId: reporter.id, score, comment: ticket.feedback, at: s.ratedAt } : null;
  const complaint =
    kind === 'complaint'
      ? {
          receiver: dir.desk?.name ?? '客户服务部',
          complainant: reporter.name,
          contact: reporter.phone,
          content,
          demand: /要求(.+?)[。！]?$/.exec(content)?.[1] ?? null,
          relatedTicketId: null,
          wantsOtherEngineer: content.includes('换个工程师'),
          investigation: s.resolvedAt ? pick(rng, ['经核查，工程师未按时到场属实', '经核查，故障为部件批次问题', '经核查，前次维修未彻底排除隐患']) : null,
          firstOpinion: s.resolvedAt ? pick(rng, ['向客户致歉，更换工程师跟进', '批量更换同批次部件', '安排复查并加强巡检']) : null,
          correction: s.resolvedAt ? '已整改并回访' : null,
          customerOpinion: has('ratedAt') ? ticket.feedback : null,
          satisfaction: has('ratedAt') ? score : null,
          answeredAt: s.resolvedAt ?? null,
          archivedAt: status === 'closed' ? s.closedAt : null,
        }
      : null;
  const nonConformance = dissatisfied && ticket.assigneeId ? { engineerId: ticket.assigneeId, reason: `客户评分 ${score} 分：${ticket.feedback ?? ''}`, at: s.ratedAt } : null;
  const inbound = lean
    ? null
    : {
        channel: customer.channel,
        chatPlatformId: customer.chatPlatformId,
        senderPlatformId: `seed-${reporter.id}`,
        type: 'message',
        text: content,
        receivedAt: reported,
        occurredAt: reported,
        outcome: 'processed',
      };
  const outbox: Row[] = [];
  if (!lean) {
    const failed = rng() < 0.01;
    outbox.push({
      channel: customer.channel,
      chatPlatformId: customer.chatPlatformId,
      action: JSON.stringify({ kind: 'text', text: `已收到报修，工单 ${'{number}'}。` }),
      status: failed ? 'failed' : 'sent',
      attempts: failed ? 30 : 1,
      nextAttemptAt: reported,
      lastError: failed ? 'PermanentSendError 230002: Bot is not in the chat' : null,
      createdAt: reported,
      sentAt: failed ? null : new Date(reported.getTime() + 800 + Math.round(rng() * 2500)),
    });
  }
  return { ticket, events, timers, rating, complaint, nonConformance, inbound, outbox, day: DateTime.fromJSDate(reported, { zone: tz }).toFormat('yyyyMMdd') };
}

export interface SeedResult {
  tickets: number;
  events: number;
  ms: number;
}

/** Writes `opts.tickets` tickets over the last `opts.days` days before `opts.now`. */
export async function seed(db: Db, entry: ContractEntry, opts: SeedOptions): Promise<SeedResult> {
  const started = Date.now();
  const rng = mulberry32(opts.seed ?? 20261124);
  const dir = await directory(db);
  if (!dir.customers.length) throw new Error('no customer chat to put tickets in: check the organisation file (customers[].chats)');
  const prefix = entry.contract.ticketNumberPrefix;
  const counters = new Map<string, number>((await db.counter.findMany({ where: { key: { startsWith: `ticket:${prefix}:` } } })).map((c) => [c.key, c.value]));
  const numberFor = (day: string) => {
    const key = `ticket:${prefix}:${day}`;
    const n = (counters.get(key) ?? 0) + 1;
    counters.set(key, n);
    return `${prefix}-${day}-${String(n).padStart(4, '0')}`;
  };
  const batch = opts.batch ?? (opts.sqliteFile ? 2000 : 500);
  let events = 0;
  const uuid = () => `seed-${Date.now().toString(36)}-${Math.floor(rng() * 2 ** 48).toString(36)}-${Math.floor(rng() * 2 ** 48).toString(36)}`;
  const writer = opts.sqliteFile ? await sqliteWriter(opts.sqliteFile) : prismaWriter(db);
  try {
    for (let done = 0; done < opts.tickets; ) {
      const n = Math.min(batch, opts.tickets - done);
      const items: SeedTicket[] = [];
      for (let i = 0; i < n; i++) items.push(makeTicket(rng, dir, entry, opts.now, opts.days, opts.lean ?? false));
      items.sort((a, b) => (a.ticket.reportedAt as Date).getTime() - (b.ticket.reportedAt as Date).getTime());
      for (const it of items) {
        it.ticket.number = numberFor(it.day);
        for (const o of it.outbox) o.action = String(o.action).replace('{number}', String(it.ticket.number));
        if (it.inbound) {
          it.inbound.eventId = uuid();
          it.inbound.messageId = uuid();
        }
        for (const o of it.outbox) o.idempotencyKey = uuid();
        events += it.events.length;
      }
      await writer.write(items, [...counters].filter(([k]) => items.some((it) => k.endsWith(it.day))));
      done += n;
      opts.onProgress?.(done, opts.tickets);
    }
  } finally {
    await writer.close();
  }
  return { tickets: opts.tickets, events, ms: Date.now() - started };
}

interface Writer {
  write(items: SeedTicket[], counters: Array<[string, number]>): Promise<void>;
  close(): Promise<void>;
}

function prismaWriter(db: Db): Writer {
  return {
    async write(items, counters) {
      await db.$transaction(
        async (tx) => {
          const created = await tx.ticket.createManyAndReturn({ data: items.map((i) => i.ticket) as never, select: { id: true, number: true } });
          const ids = new Map(created.map((c) => [c.number, c.id]));
          const withId = (i: SeedTicket) => ids.get(String(i.ticket.number))!;
          const flat = <K extends 'events' | 'timers' | 'outbox'>(k: K) => items.flatMap((i) => i[k].map((r) => ({ ...r, ticketId: withId(i) })));
          await tx.ticketEvent.createMany({ data: flat('events') as never });
          await tx.timer.createMany({ data: flat('timers') as never });
          await tx.rating.createMany({ data: items.filter((i) => i.rating).map((i) => ({ ...i.rating, ticketId: withId(i) })) as never });
          await tx.complaint.createMany({ data: items.filter((i) => i.complaint).map((i) => ({ ...i.complaint, ticketId: withId(i) })) as never });
          await tx.nonConformance.createMany({ data: items.filter((i) => i.nonConformance).map((i) => ({ ...i.nonConformance, ticketId: withId(i) })) as never });
          await tx.inboundEvent.createMany({ data: items.filter((i) => i.inbound).map((i) => i.inbound) as never });
          await tx.outbox.createMany({ data: flat('outbox') as never });
          for (const [key, value] of counters) await tx.counter.upsert({ where: { key }, update: { value }, create: { key, value } });
        },
        { timeout: 120_000, maxWait: 30_000 },
      );
    },
    async close() {},
  };
}

interface SqliteStatement {
  run(...params: unknown[]): { lastInsertRowid: number | bigint };
}
interface SqliteDb {
  pragma(s: string): unknown;
  prepare(sql: string): SqliteStatement;
  transaction<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void;
  close(): void;
}

/** SQLite only: prepared statements on better-sqlite3, in the format Prisma reads (ISO text times, 0/1 booleans). */
async function sqliteWriter(file: string): Promise<Writer> {
  // better-sqlite3 ships no types; the few calls used here are typed by hand.
  const moduleName = 'better-sqlite3';
  const { default: Database } = (await import(moduleName)) as { default: new (file: string) => SqliteDb };
  const sql = new Database(file);
  sql.pragma('journal_mode = WAL');
  sql.pragma('synchronous = OFF');
  sql.pragma('busy_timeout = 10000');
  const statements = new Map<string, SqliteStatement>();
  const value = (v: unknown) => (v instanceof Date ? v.toISOString().replace('Z', '+00:00') : typeof v === 'boolean' ? (v ? 1 : 0) : v === undefined ? null : v);
  const insert = (table: string, row: Row): number => {
    const cols = Object.keys(row);
    const key = `${table}|${cols.join(',')}`;
    let st = statements.get(key);
    if (!st) {
      st = sql.prepare(`INSERT INTO "${table}" (${cols.map((c) => `"${c}"`).join(',')}) VALUES (${cols.map(() => '?').join(',')})`);
      statements.set(key, st);
    }
    return Number(st.run(...cols.map((c) => value(row[c]))).lastInsertRowid);
  };
  const run = sql.transaction((items: SeedTicket[], counters: Array<[string, number]>) => {
    for (const i of items) {
      const ticketId = insert('Ticket', i.ticket);
      for (const e of i.events) insert('TicketEvent', { ...e, ticketId });
      for (const t of i.timers) insert('Timer', { ...t, ticketId });
      if (i.rating) insert('Rating', { ...i.rating, ticketId });
      if (i.complaint) insert('Complaint', { ...i.complaint, ticketId });
      if (i.nonConformance) insert('NonConformance', { ...i.nonConformance, ticketId });
      if (i.inbound) insert('InboundEvent', i.inbound);
      for (const o of i.outbox) insert('Outbox', { ...o, ticketId });
    }
    const up = sql.prepare('INSERT INTO "Counter" ("key","value") VALUES (?,?) ON CONFLICT("key") DO UPDATE SET "value" = excluded."value"');
    for (const [k, v] of counters) up.run(k, v);
  });
  return {
    async write(items, counters) {
      run(items, counters);
    },
    async close() {
      sql.close();
    },
  };
}
