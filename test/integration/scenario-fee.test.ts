/**
 * Contract rule 1: a request from a customer whose warranty has ended is
 * served only after the customer agrees to a fee (同意收费) or a manager
 * waives it (免费处理 #N); the consent or waiver is recorded. Nothing is
 * accepted, assigned or taken meanwhile, and no SLA clock runs against the
 * supplier while the customer decides.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PEOPLE, startTestService, type TestService } from '../support/service.js';
import { ChatView, MIN, about, advanceTo, deadline, names, now, ticketIdIn, transcript } from '../support/scenario.js';

/** The managers' digest is tested on its own; here it would only slow long clock jumps. */
const NO_DIGEST = { DIGEST_CRON: 'off' };

const { customer, engineer, manager } = PEOPLE;
const CHAT = 's6-expired';

let svc: TestService;
let orgDir: string;
beforeAll(async () => {
  // The demo organisation plus a customer whose warranty ended on 2025-12-31, bound to chat s6-expired.
  orgDir = mkdtempSync(path.join(os.tmpdir(), 'servicebot-org-'));
  const org = YAML.parse(readFileSync(path.resolve('config/org.yaml'), 'utf8'));
  org.customers.push({ name: '西安地铁一号线运营分公司', contract: 'default', warrantyStart: '2020-01-01', warrantyEnd: '2025-12-31', scope: [], chats: [{ channel: 'sandbox', id: CHAT }] });
  const file = path.join(orgDir, 'org.yaml');
  writeFileSync(file, YAML.stringify(org));
  svc = await startTestService({ env: { ...NO_DIGEST, ORG_FILE: file } });
});
afterAll(async () => {
  await svc?.close();
  rmSync(orgDir, { recursive: true, force: true });
});

describe('an out-of-warranty report', () => {
  it('waits for the customer\'s fee consent: nothing is accepted, taken or reminded until then; the consent is in the audit trail', async () => {
    const chat = new ChatView(svc, CHAT);
    const managers = await new ChatView(svc, 'managers').skipOld();
    let said = await chat.ask(customer, '小寨站 3号闸机刷卡没反应 电话13800138000');
    const id = ticketIdIn(said[0]);
    const fee = said.find((m) => m.text.includes('需收费'));
    expect(fee?.text, transcript(said)).toContain('合同质保期已于 2025-12-31 结束');
    expect(fee!.buttons.map((b) => b.label)).toEqual(['同意收费']);
    expect(names(fee)).toEqual(['王工']);
    expect(said.some((m) => m.text.includes('已受理'))).toBe(false);
    let t = await svc.ticket(id);
    expect(t).toMatchObject({ status: 'awaiting_fee', feeStatus: 'required', scopeStatus: 'out_of_term', customer: '西安地铁一号线运营分公司' });

    // Staff cannot start the work before the consent.
    said = await chat.ask(engineer, `接单 #${id}`);
    expect(said[0]!.text).toContain('待确认收费');
    await managers.say(manager, `派单 #${id} @张工`);
    expect(about(await managers.news(), id)[0]!.text).toContain('待确认收费');
    t = await svc.ticket(id);
    expect(t.status).toBe('awaiting_fee');
    expect(t.assignee).toBeNull();

    // The customer takes 45 minutes to decide: no reminder, no breach meanwhile.
    const t0 = now(svc);
    await advanceTo(svc, t0.getTime() + 45 * MIN);
    expect(about(await chat.news(), id)).toHaveLength(0);
    expect(about(await managers.news(), id)).toHaveLength(0);
    expect((await svc.ticket(id)).timers.filter((x: { state: string }) => x.state === 'fired')).toHaveLength(0);

    said = await chat.ask(customer, '同意收费');
    expect(said[0]!.text).toContain('已记录王工同意收费');
    const card = said.find((m) => m.text.includes('已受理'));
    expect(card, transcript(said)).toBeDefined();
    expect(names(card)).toEqual(['王工']);
    expect(about(await managers.news(), id).some((m) => m.text.includes('请李经理派单') && names(m).includes('李经理'))).toBe(true);
    t = await svc.ticket(id);
    expect(t).toMatchObject({ status: 'accepted', feeStatus: 'agreed' });
    const consent = t.events.find((e: { action: string }) => e.action === 'agree_fee');
    expect(consent).toMatchObject({ actor: '王工', from: 'awaiting_fee', to: 'accepted' });
    expect(t.events.find((e: { action: string }) => e.action === 'require_fee').detail.why).toContain('2025-12-31');
    // The clocks run from the consent.
    const consentAt = new Date(now(svc).getTime());
    expect(deadline(t, 'first_response').dueAt).toBe(new Date(consentAt.getTime() + 30 * MIN).toISOString());
    expect(deadline(t, 'acceptance').met).toBe(true);

    // Now the work goes on as usual.
    await managers.say(manager, `派单 #${id} @张工`);
    said = await chat.ask(engineer, '接单');
    expect(said.some((m) => m.text.includes('张工已接单'))).toBe(true);
    expect(deadline(await svc.ticket(id), 'first_response').met).toBe(true);
  });

  it('or for a manager\'s waiver (免费处理 #N), which a customer cannot give', async () => {
    const chat = new ChatView(svc, CHAT);
    const managers = await new ChatView(svc, 'managers').skipOld();
    await svc.advance(5);
    let said = await chat.ask(customer, '钟楼站 2号TVM不出票 电话13800138000');
    const id = ticketIdIn(said[0]);
    expect((await svc.ticket(id)).status).toBe('awaiting_fee');

    said = await chat.ask(customer, `免费处理 #${id}`);
    expect(said[0]!.text).toContain('服务人员的操作');
    said = await chat.ask(engineer, `免费处理 #${id}`);
    expect(said[0]!.text).toContain('需由部门经理');
    expect((await svc.ticket(id)).status).toBe('awaiting_fee');

    await managers.say(manager, `免费处理 #${id}`);
    said = await chat.news();
    expect(said.some((m) => m.text.includes('经理李经理已批准免费处理')), transcript(said)).toBe(true);
    expect(said.some((m) => m.text.includes('已受理'))).toBe(true);
    const staff = about(await managers.news(), id);
    expect(staff.some((m) => m.text.includes('已处理'))).toBe(true);
    expect(staff.some((m) => m.text.includes('请李经理派单') && names(m).includes('李经理'))).toBe(true);
    const t = await svc.ticket(id);
    expect(t).toMatchObject({ status: 'accepted', feeStatus: 'waived' });
    expect(t.events.find((e: { action: string }) => e.action === 'waive_fee')).toMatchObject({ actor: '李经理', from: 'awaiting_fee', to: 'accepted' });
  });

  it('a report in a chat under warranty is accepted at once', async () => {
    const chat = new ChatView(svc, 'demo');
    const said = await chat.ask(customer, '钟楼站 5号闸机刷卡没反应 电话13800138000');
    expect(said.some((m) => m.text.includes('已受理'))).toBe(true);
    expect((await svc.ticket(ticketIdIn(said[0]))).feeStatus).toBe('none');
  });
});
