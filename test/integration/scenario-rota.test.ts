/**
 * The on-duty rota (contract `assignment.rota: true`, engineers by weekday in
 * the organisation file): an accepted ticket goes straight to the engineer on
 * duty, who is mentioned, and the manager is not asked to assign.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PEOPLE, startTestService, type TestService } from '../support/service.js';
import { ChatView, names } from '../support/scenario.js';

let svc: TestService;
beforeAll(async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'servicebot-rota-'));
  const contract = path.join(dir, 'contract.yaml');
  writeFileSync(contract, readFileSync('config/contract.yaml', 'utf8').replace('assignment:\n  rota: false', 'assignment:\n  rota: true'));
  const org = path.join(dir, 'org.yaml');
  // 2026-11-24 is a Tuesday (ISO weekday 2): 李工 is on duty.
  writeFileSync(org, readFileSync('config/org.yaml', 'utf8').replace('rota: []', 'rota:\n  - { weekday: 1, engineer: 张工 }\n  - { weekday: 2, engineer: 李工 }'));
  svc = await startTestService({ env: { CONTRACT_FILE: contract, ORG_FILE: org, DIGEST_CRON: 'off' } });
});
afterAll(async () => svc?.close());

describe('on-duty rota', () => {
  it('assigns the engineer on duty and mentions them', async () => {
    const chat = new ChatView(svc, 'demo');
    await chat.say(PEOPLE.customer, '小寨站 3号闸机刷卡没反应 电话13800138000');
    const said = await chat.news();
    // The customer learns who is coming; the engineer on duty is asked among the staff.
    expect(said.some((m) => m.text.includes('已安排工程师李工处理')), said.map((m) => m.text).join('\n')).toBe(true);
    const staff = await new ChatView(svc, 'managers').all();
    const card = staff.find((m) => m.text.includes('请值班工程师李工接单'));
    expect(card?.text).toContain('GD-20261124-0001');
    expect(names(card)).toEqual(['李工']);
    const t = await svc.ticket('GD-20261124-0001');
    expect(t.status).toBe('assigned');
    expect(t.assignee.name).toBe('李工');
    expect(t.events.some((e: { action: string; detail: { by?: string } }) => e.action === 'assign' && e.detail.by === 'rota')).toBe(true);

    // The engineer on duty takes it with a bare 接单.
    await chat.say(PEOPLE.engineer2, '接单');
    expect((await svc.ticket('GD-20261124-0001')).status).toBe('acknowledged');
  });
});
