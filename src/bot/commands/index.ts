/**
 * The command registry: every chat command, one module each, in the order
 * they are read (the first whose words start the message wins). The parser,
 * the buttons, the role check, the help text and the dispatch are built from
 * this list. Adding a command: a module here declaring its words, roles, what
 * it applies to, its help line and its handler, and one line in COMMANDS.
 */
import type { Role } from '../../domain/contract.js';
import { clip, ticketTitle } from '../../domain/wording.js';
import { normalise, parseButtonValue, parseWith, type TicketRef } from '../../domain/commands.js';
import { notTheirJob } from '../../domain/ticket.js';
import type { Ticket } from '../../store/tickets.js';
import type { Person } from '../../store/types.js';
import type { Mention } from '../../core/channel.js';
import { mentionOf, type Ctx } from '../context.js';
import { personById } from '../directory.js';
import { isQuestion } from '../follow-ups.js';
import { acknowledge } from './acknowledge.js';
import { agreeFee } from './agree-fee.js';
import { answer } from './answer.js';
import { arrive } from './arrive.js';
import { assign } from './assign.js';
import { bindCustomer } from './bind-customer.js';
import { cancel } from './cancel.js';
import type { Command, HelpAudience, HelpLine, Source, TicketCommand } from './command.js';
import { confirm } from './confirm.js';
import { correction } from './correction.js';
import { denyFix } from './deny-fix.js';
import { erasePerson } from './erase-person.js';
import { eraseRequest } from './erase-request.js';
import { detectionReport } from './detection-report.js';
import { followUpAssign } from './follow-up-assign.js';
import { followUpDone } from './follow-up-done.js';
import { emergencyReport } from './emergency-report.js';
import { help } from './help.js';
import { inspectionAssign } from './inspection-assign.js';
import { inspectionDone } from './inspection-done.js';
import { investigation } from './investigation.js';
import { isFaultChoice } from './is-fault-choice.js';
import { whichChoice } from './which-choice.js';
import { mediumRetained } from './medium-retained.js';
import { myTickets } from './my-tickets.js';
import { openTickets } from './open-tickets.js';
import { otherEngineer } from './other-engineer.js';
import { query } from './query.js';
import { rate } from './rate.js';
import { notice } from './notice.js';
import { noticeEnd } from './notice-end.js';
import { repair } from './repair.js';
import { replacePart } from './replace-part.js';
import { requestSpare } from './request-spare.js';
import { resolve } from './resolve.js';
import { resolveTicket } from './resolve-ticket.js';
import { setLevel } from './set-level.js';
import { setRole } from './set-role.js';
import { transfer } from './transfer.js';
import { waiveFee } from './waive-fee.js';
import { commandMessages as CM } from '../messages/replies.js';

/** In reading order: "#3 改为一级" first (its words may follow the reference), then the words that start a message. */
export const COMMANDS: readonly Command<any>[] = [
  setLevel, // #12 改为一级
  help, // 帮助
  myTickets, // 我的工单
  openTickets, // 待处理
  query, // 查询 #12
  acknowledge, // 接单
  assign, // 派单 #12 @张工
  transfer, // 转派 #12 @李工
  arrive, // 到场
  resolve, // 已修复
  requestSpare, // 申请备件
  replacePart, // 已更换
  mediumRetained, // 介质已留存
  detectionReport, // 检测报告
  noticeEnd, // 取消通告 #3 / 结束维护 #3 (before 撤销: 撤销通告 #3 is about a notice)
  cancel, // 撤销
  confirm, // 确认修复
  denyFix, // 还没好
  agreeFee, // 同意收费
  waiveFee, // 免费处理
  answer, // 答复
  investigation, // 调查结果
  correction, // 整改
  otherEngineer, // 更换工程师
  bindCustomer, // 绑定客户
  setRole, // 设为工程师 @…
  inspectionDone, // 巡检完成 #5 正常 / 发现问题 …
  inspectionAssign, // 派巡检 #5 @张工
  followUpAssign, // 派回访 #7 @客服小刘
  followUpDone, // 回访 #7 记录
  notice, // 通告 全部 计划检修 …
  repair, // 收到故障件 / 送修 / 维修费用 / 修复返回 / 已返还客户 / 取消返修 #12
  emergencyReport, // 应急报告 #12 …
  eraseRequest, // 删除我的信息
  erasePerson, // 删除个人信息 用户17
  rate, // no words: an answer, a late "满意", or a button
  isFaultChoice, // no words: the buttons of 需要为此报修吗 (typed answers are pending answers)
  whichChoice, // no words: the buttons of the "which ticket" card (typed numbers are pending answers)
];

/** A command as read from a message or a button: which one, its arguments, the ticket it names. */
export interface ParsedCommand {
  command: Command<any>;
  args: object;
  ref?: TicketRef;
}

/** Reads a chat message as a command; null when it is not one. */
export function parseCommand(text: string): ParsedCommand | null {
  const hit = parseWith(COMMANDS, text);
  return hit ? { command: hit.rule, args: hit.args as object, ...(hit.ref ? { ref: hit.ref } : {}) } : null;
}

/** The command a button of the bot's cards stands for; null for a button no command knows (or bad arguments). */
export function commandFromButton(value: string): ParsedCommand | null {
  const b = parseButtonValue(value);
  const command = b ? COMMANDS.find((c) => c.button?.action === b.action) : undefined;
  const args = b && command?.button ? command.button.args(b.arg, b.ticketId) : null;
  if (!b || !command || !args) return null;
  // A chat command's button names no ticket (its id is the question's, in its arguments).
  return command.target === 'chat' ? { command, args } : { command, args, ref: { short: b.ticketId } };
}

/**
 * A customer's "到场了吗" starts like an engineer's command; it is taken as a
 * command (and politely refused) only when it is written as one.
 */
export function meantAsCommand(parsed: ParsedCommand, text: string, role: Role): boolean {
  if (role !== 'customer' || parsed.command.customerCommand) return true;
  const t = normalise(text).replace(/@\S+/g, '').trim();
  if (/#\d|[A-Z]{1,8}-\d{8}-\d{4}/i.test(t)) return true;
  // "到场了吗" / "接单了没" is a question about the ticket, not an attempt at the command.
  if (isQuestion(t)) return false;
  return t.length <= 12;
}

/** What is not a command but belongs in the customer's help: how to report and ask. */
const CUSTOMER_PREAMBLE: HelpLine[] = [
  { line: '报修：直接描述故障，如「小寨站 3号闸机刷卡没反应 电话13800138000」', order: 10 },
  { line: '咨询：直接提问，如「请问闸机交易数据怎么导出？」', order: 20 },
];

/** The commands for a role, from every command's help line: customers; engineers; managers, the vice-president and the desk. */
export function helpText(role: Role): string {
  const audiences: HelpAudience[] = role === 'customer' ? ['customer'] : role === 'engineer' ? ['staff'] : ['staff', 'managers'];
  const entries: HelpLine[] = [
    ...(role === 'customer' ? CUSTOMER_PREAMBLE : []),
    ...audiences.flatMap((a) => COMMANDS.flatMap((c) => (c.help?.[a] ? [c.help[a]] : []))),
  ].sort((a, b) => a.order - b.order);
  const lines: string[] = [];
  const joined = new Map<string, number>();
  for (const e of entries) {
    const at = e.join ? joined.get(e.join) : undefined;
    if (at !== undefined) lines[at] = `${lines[at]} · ${e.line}`;
    else {
      if (e.join) joined.set(e.join, lines.length);
      lines.push(e.line);
    }
  }
  return CM.help.text({ lines });
}

/** Why this role may not give this command, or null when it may. */
export function refusalFor(command: Command<any>, role: Role): string | null {
  if (command.roles.includes(role)) return null;
  const word = command.word ?? command.name;
  return (
    command.refusals?.[role] ??
    (role === 'customer' ? CM.staffOnly.text({ word }) : CM.managersOnly.text({ word }))
  );
}

/** Answers the person who gave a command, where they gave it (and, for a click, as the toast). */
function sayTo(ctx: Ctx, person: Person, text: string, ticketId: number | null = null): Promise<boolean> {
  ctx.clickAnswer.toast ??= clip(text, 60);
  return ctx.text(text, [mentionOf(person)], { ticketId });
}

/** Carries out a command from `person`: the role check, the ticket it means and its checks, then its handler. */
export async function runCommand(ctx: Ctx, src: Source, person: Person, parsed: ParsedCommand): Promise<void> {
  const { command, args, ref } = parsed;
  const refusal = refusalFor(command, person.role);
  if (refusal) {
    await sayTo(ctx, person, refusal);
    return;
  }
  if (command.target === 'chat') {
    await command.run({ ctx, src, person, args, say: async (text) => void (await sayTo(ctx, person, text)), helpText: helpText(person.role) });
    return;
  }
  const example = command.word ?? '查询';
  const found = await resolveTicket(ctx, src, person, command, ref);
  if (found === 'ambiguous') {
    await sayTo(ctx, person, CM.whichOfYours.text({ word: example }));
    return;
  }
  // A customer sees and acts on the tickets of their own chat only.
  if (!found || (person.role === 'customer' && found.chatId !== ctx.chat.id)) {
    await sayTo(ctx, person, ref || found ? CM.noSuchTicket.text() : CM.whichTicket.text({ word: example }));
    return;
  }
  await onTicket(ctx, src, person, command, args, found);
}

async function onTicket(ctx: Ctx, src: Source, person: Person, command: TicketCommand<any>, args: object, ticket: Ticket): Promise<void> {
  // Given elsewhere (the managers' group), a refusal names the ticket it is about.
  const refuse = async (reason: string) => void (await sayTo(ctx, person, ticket.chatId === ctx.chat.id ? reason : `${ticketTitle(ticket)}：${reason}`, ticket.id));
  const chat = await ctx.chatOf(ticket);
  let echoed = false;
  const tell = async (text: string, mentions: Mention[] = []) => {
    const id = await ctx.text(text, mentions, { chat, ticketId: ticket.id, ...(ticket.sourceMessageId ? { replyTo: ticket.sourceMessageId } : {}) });
    // A command given elsewhere (the managers' group, a private chat) is answered there too.
    if (chat.id !== ctx.chat.id && !echoed) {
      echoed = true;
      await ctx.text(CM.doneElsewhere.text({ title: ticketTitle(ticket), chat: chat.title ?? chat.platformId, text: clip(text, 80) }), [mentionOf(person)], { ticketId: ticket.id });
    }
    return id;
  };
  const reporter = (await personById(ctx.tx, ticket.reporterId))!;
  // Another engineer's job is theirs, for the commands that change a job without a transition too (介质留存, 已更换, 整改).
  const notMine = command.anyonesJob ? null : notTheirJob(ticket, { role: person.role, personId: person.id });
  if (notMine) return refuse(notMine);
  const mayNot = command.mayAct ? await command.mayAct(ctx, person, ticket) : null;
  if (mayNot) return refuse(mayNot);
  const staff = async (text: string, mentions: Mention[] = []) => void (await ctx.text(text, mentions, { chat, ticketId: ticket.id, audience: 'staff' }));
  await command.run({ ctx, src, person, args, ticket, chat, reporter, tell, staff, refuse, say: async (text) => void (await sayTo(ctx, person, text, ticket.id)) });
}

/** Carries out one command on one ticket, as if given by `person` (an answer to the bot's question, a reply to a consultation). */
export function invoke<A extends object>(ctx: Ctx, src: Source, person: Person, command: Command<A>, ticketId: number, args: A): Promise<void> {
  return runCommand(ctx, src, person, { command, args, ref: { short: ticketId } });
}
