/**
 * The answer to a question the bot asked this person (a PendingQuestion row):
 * the level ("2", "全线都进不去"), a missing site or phone, the fix confirmed or
 * not ("1", "正常了", "还是不行"), a rating ("5分 很及时"), fee consent
 * ("同意"), 需要为此报修吗 ("1", "是", "不用"), a duplicate notice ("不是同一个").
 * A message that does not answer it is handled as anything else.
 */
import { normalise, parseRating } from '../domain/commands.js';
import { readFaultAnswer, readNotSameAnswer } from '../domain/intake.js';
import { parseLevelAnswer, parseReport } from '../domain/report-parser.js';
import { clip, levelName } from '../domain/wording.js';
import type { InboundMessage } from '../core/channel.js';
import type { PendingQuestion, Person } from '../store/types.js';
import { acceptOrAskFee } from './acceptance.js';
import type { Ctx } from './context.js';
import { mentionOf } from './context.js';
import { updatePerson } from './directory.js';
import { agreeFee } from './commands/agree-fee.js';
import { confirm } from './commands/confirm.js';
import { denyFix } from './commands/deny-fix.js';
import { invoke } from './commands/index.js';
import { rate } from './commands/rate.js';
import { answerWhichTicket } from './follow-ups.js';
import { answerIsFault, notTheSameFault } from './intake.js';
import { setLevel } from './commands/set-level.js';
import { askMissing, timedOutLevelQuestion } from './questions.js';
import { applyAction, recordEvent } from './transitions.js';
import { cardMessages } from './messages/cards.js';
import { cardAnswered } from './cards.js';
import { receiptMessages as R } from './messages/replies.js';

const FIXED = /^(好了|可以了|正常了|已?恢复(正常)?了?|没问题了?|修好了|已经好了|能用了|好使了)(?=$|[，,。.!！\s]|谢谢)/;
const NOT_FIXED = /^(还是?不行|不行|还没好|没好|还是坏的|还有问题)/;

const PLACE = /(站|中心|段|场|楼|层|室|机房|号线|出入口|口|厅|车辆|库|基地|大厦|公司)/;

/**
 * Tries the message as the answer to the person's open question. Returns false
 * when it is not an answer (the message is then handled as anything else).
 */
/** How soon after a question the same text as the answer that raised it counts as that answer sent twice. */
const REPEAT_WINDOW_MS = 20_000;

/** The text of the answer that raised this question, sent again within moments (a double send, not an answer). */
function isRepeat(q: Pick<PendingQuestion, 'data' | 'askedAt'>, text: string, now: Date): boolean {
  if (now.getTime() - q.askedAt.getTime() > REPEAT_WINDOW_MS) return false;
  try {
    return (JSON.parse(q.data) as { repeatOf?: unknown }).repeatOf === text;
  } catch {
    return false;
  }
}

export async function answerQuestion(ctx: Ctx, q: Pick<PendingQuestion, 'id' | 'kind' | 'ticketId' | 'data' | 'askedAt'>, msg: InboundMessage, person: Person): Promise<boolean> {
  // Questions about a message, not a ticket: 需要为此报修吗 and the duplicate notice.
  if (q.kind === 'is_fault') {
    const a = readFaultAnswer(msg.text);
    if (!a) return false;
    await answerIsFault(ctx, q, a, person, normalise(msg.text));
    return true;
  }
  if (q.kind === 'duplicate') return readNotSameAnswer(msg.text) && notTheSameFault(ctx, q, person);
  // "到场了吗" with several open tickets was asked which one: the number answers it.
  if (q.kind === 'which_ticket') return answerWhichTicket(ctx, q, msg, person);
  if (!q.ticketId) return false;
  const ticket = await ctx.tickets.get(q.ticketId);
  if (!ticket) return false;
  const text = normalise(msg.text);
  const lex = ctx.deps.lexicon;
  const done = () => ctx.tx.pendingQuestion.update({ where: { id: q.id }, data: { state: 'answered' } });
  switch (q.kind) {
    case 'level': {
      // "1" sent twice to 需要为此报修吗 is not level 1: the second is no answer (and changes nothing).
      if (isRepeat(q, text, ctx.now)) return false;
      const a = parseLevelAnswer(text, lex);
      if (!a) return false;
      await done();
      // An answer can carry details too ("小寨站全部刷不了").
      const extra = parseReport(text, lex);
      const data = {
        // The words that decided the level are now the answer's (shown to engineers with the ticket).
        levelEvidence: JSON.stringify(a.evidence),
        ...(extra.site && !ticket.site ? { site: extra.site } : {}),
        ...(extra.phone && !ticket.phone ? { phone: extra.phone } : {}),
      };
      const r = await applyAction(ctx, ticket, { type: 'set_level', level: a.level }, { data, detail: { evidence: a.evidence, answer: clip(text, 100) } });
      if (!r.ok) {
        await ctx.text(r.reason, [mentionOf(person)], { ticketId: ticket.id });
        return true;
      }
      cardAnswered(ctx, { ticketId: ticket.id, button: 'level' }, cardMessages.levelChosen.text({ level: levelName(ticket.contract.contract, a.level) }));
      await acceptOrAskFee(ctx, r.ticket, person);
      return true;
    }
    case 'site': {
      const p = parseReport(text, lex);
      // A place the lexicon does not know is taken as written, if it reads like one ("二号线三号机房"), not "好的".
      const site = p.site ?? (text.length <= 30 && p.kind === 'other' && !/[?？]/.test(text) && PLACE.test(text) ? text : null);
      if (!site) return false;
      await done();
      const t = await ctx.tickets.update(ticket, { site });
      await recordEvent(ctx, t, 'details_added', { site });
      await ctx.text(R.siteNoted.text({ site }), [], { ticketId: t.id });
      await askMissing(ctx, t, person);
      return true;
    }
    case 'phone': {
      const p = parseReport(text, lex);
      if (!p.phone) return false;
      await done();
      const t = await ctx.tickets.update(ticket, { phone: p.phone });
      if (!person.phone) await updatePerson(ctx.tx, person.id, { phone: p.phone });
      await recordEvent(ctx, t, 'details_added', { phone: p.phone });
      await ctx.text(R.phoneNoted.text({ phone: p.phone }), [], { ticketId: t.id });
      return true;
    }
    case 'confirm': {
      // "1" / "2", or the way people answer: "正常了，谢谢", "可以了", "还是不行".
      const command = text === '1' || FIXED.test(text) ? confirm : text === '2' || NOT_FIXED.test(text) ? denyFix : null;
      if (!command) return false;
      await invoke(ctx, msg, person, command, ticket.id, {});
      return true;
    }
    case 'rate': {
      const r = parseRating(text);
      if (!r) return false;
      await invoke(ctx, msg, person, rate, ticket.id, { score: r.score, ...(r.comment ? { comment: r.comment } : {}) });
      return true;
    }
    case 'fee': {
      if (!/^(同意|可以|好的?|1)$/.test(text)) return false;
      await invoke(ctx, msg, person, agreeFee, ticket.id, {});
      return true;
    }
  }
  return false;
}

/**
 * An answer to the level question that came after it timed out ("2" an hour
 * later): taken while the level is still provisional — the level corrected,
 * the deadlines recomputed and announced (the set-level command).
 */
export async function lateLevelAnswer(ctx: Ctx, msg: InboundMessage, person: Person): Promise<boolean> {
  // Read first (no statement): most messages are no level answer at all.
  const a = parseLevelAnswer(normalise(msg.text), ctx.deps.lexicon);
  if (!a) return false;
  const q = await timedOutLevelQuestion(ctx, person.id);
  if (!q?.ticketId) return false;
  const ticket = await ctx.tickets.get(q.ticketId);
  if (!ticket || !ticket.levelProvisional || ['closed', 'cancelled'].includes(ticket.status)) return false;
  await ctx.tx.pendingQuestion.update({ where: { id: q.id }, data: { state: 'answered' } });
  await invoke(ctx, msg, person, setLevel, ticket.id, { level: a.level });
  return true;
}
