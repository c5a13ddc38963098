/**
 * A reopened ticket gets the contract's deadlines again, counted from the
 * reopening: report → fix → confirm → a low rating → reopened → the reminder at
 * the contract's point → the breach escalated when nobody acts; and, when the
 * engineer takes the job again and arrives in time, nothing escalates. The
 * reopened ticket is on the SLA board, and its record no longer says the
 * customer confirmed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PEOPLE, startTestService, type TestService } from '../support/service.js';
import { ChatView, LONG, MIN, about, advanceTo, escalations, now, reminders, ticketIdIn, transcript } from '../support/scenario.js';

const NO_DIGEST = { DIGEST_CRON: 'off' };
const { customer, engineer, manager } = PEOPLE;

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService({ env: NO_DIGEST });
});
afterAll(async () => svc?.close());

type ApiDeadline = { clock: string; startedAt: string; dueAt: string; met: boolean | null; reopened: boolean };

/** Report, assign, take, fix, confirm, then rate 2: returns the ticket id and the reopening time. */
async function reopenedByRating(chat: ChatView): Promise<{ id: number; reopenedAt: number }> {
  const id = ticketIdIn((await chat.ask(customer, '钟楼站 5号闸机刷卡没反应 电话13800138000'))[0]);
  await svc.post('managers', manager, `派单 #${id} @张工`);
  await chat.say(engineer, `接单 #${id}`);
  await svc.advance(10);
  await chat.ask(engineer, `已修复 #${id} 重启读卡器`);
  await svc.advance(5);
  await chat.ask(customer, '确认修复');
  await svc.advance(1);
  expect((await svc.ticket(id)).serviceRecord.confirmation).toBe('confirmed');
  const reopenedAt = now(svc).getTime();
  await chat.ask(customer, '2 拖太久了');
  return { id, reopenedAt };
}

/** The reopened first response: its limit is the contract's (the same window as the first run's). */
async function reopenedFirstResponse(id: number): Promise<{ due: number; window: number }> {
  const t = await svc.ticket(id);
  const all = t.deadlines as ApiDeadline[];
  const first = all.find((d) => d.clock === 'first_response' && !d.reopened)!;
  const again = all.find((d) => d.clock === 'first_response' && d.reopened);
  expect(again, JSON.stringify(all)).toBeDefined();
  const window = Date.parse(first.dueAt) - Date.parse(first.startedAt);
  expect(Date.parse(again!.dueAt) - Date.parse(again!.startedAt)).toBe(window);
  return { due: Date.parse(again!.dueAt), window };
}

describe('a reopened ticket', () => {
  it('nobody acts: reminded at the contract point, escalated at the breach; on the SLA board; the confirmation withdrawn', async () => {
    const chat = new ChatView(svc, 'reopen-nobody');
    const managers = await new ChatView(svc, 'managers').skipOld();
    const { id, reopenedAt } = await reopenedByRating(chat);
    const t = await svc.ticket(id);
    expect(t.status).toBe('reopened');
    expect(t.serviceRecord.confirmation).toBeNull();
    expect(Date.parse(t.steps.reopenedAt)).toBe(reopenedAt);
    const { due, window } = await reopenedFirstResponse(id);
    expect(due).toBe(reopenedAt + window);

    // On the SLA board again, and its history says the confirmation was withdrawn.
    const board = await (await fetch(`${svc.url}/dashboard/sla`)).text();
    expect(board).toContain(t.number);
    expect(board).toContain('返工首次响应');
    // The staff are told the reopened deadlines with the dissatisfaction.
    const notice = about(await managers.news(), id).find((x) => x.text.includes('客户不满意'));
    expect(notice?.text).toMatch(/时限：.*返工首次响应 [^，]+前/);
    const page = await (await fetch(`${svc.url}/dashboard/tickets/${t.number}`)).text();
    expect(page).toContain('撤回修复确认');
    expect(page).toContain('返工首次响应');

    // The first reminder at the contract's first point, among the staff only.
    const point = svc.config.contracts.get('default')!.reminders.points[0]!;
    await managers.news();
    await advanceTo(svc, reopenedAt + window * point - MIN);
    expect(reminders(await managers.news(), id, '返工首次响应')).toHaveLength(0);
    await advanceTo(svc, reopenedAt + window * point);
    const r = reminders(await managers.news(), id, '返工首次响应');
    expect(r, transcript(r)).toHaveLength(1);
    expect(about(await chat.news(), id).filter((m) => m.text.startsWith('⏰'))).toHaveLength(0);

    // The breach: escalated to the manager, as for a new ticket.
    await advanceTo(svc, due);
    const m = await managers.news();
    const e = escalations(m, id, '返工首次响应已超时');
    expect(e, transcript(m)).toHaveLength(1);
    expect(e[0]!.mentions.map((x) => x.name)).toContain('李经理');
    expect(about(await chat.news(), id).filter((x) => x.text.startsWith('⚠️'))).toHaveLength(0);
  }, LONG);

  it('the engineer takes the job again and arrives in time: nothing escalates', async () => {
    const chat = new ChatView(svc, 'reopen-intime');
    const managers = await new ChatView(svc, 'managers').skipOld();
    const { id, reopenedAt } = await reopenedByRating(chat);
    const { due } = await reopenedFirstResponse(id);
    // The dissatisfaction notice itself is not a timer's.
    expect(about(await managers.news(), id).filter((x) => x.text.includes('客户不满意'))).toHaveLength(1);
    await svc.advance(2);
    await chat.ask(engineer, `接单 #${id}`);
    await svc.advance(3);
    await chat.ask(engineer, `到场 #${id}`);
    const t = await svc.ticket(id);
    const again = (t.deadlines as ApiDeadline[]).filter((d) => d.reopened);
    expect(again.length).toBeGreaterThan(0);
    // Taking the job again and arriving meet the first response and the arrival; a gate is
    // hardware, so its 28 h resolve-or-replace runs again from the reopening until the fix.
    const [fixing, others] = [again.filter((d) => d.clock === 'resolve_or_replace'), again.filter((d) => d.clock !== 'resolve_or_replace')];
    expect(others.length).toBeGreaterThan(0);
    expect(others.every((d) => d.met === true), JSON.stringify(again)).toBe(true);
    expect(fixing.map((d) => [d.met, Date.parse(d.dueAt) - Date.parse(d.startedAt)])).toEqual([[null, 28 * 60 * MIN]]);
    expect(Date.parse(t.steps.reopenAcknowledgedAt)).toBe(reopenedAt + 2 * MIN);
    // Well past the reopened first response's breach and its next escalation step.
    await advanceTo(svc, due + 90 * MIN);
    const m = about(await managers.news(), id).filter((x) => x.text.startsWith('⏰') || x.text.startsWith('⚠️'));
    expect(m, transcript(m)).toHaveLength(0);
  }, LONG);
});
