/**
 * House rules over the whole message catalogue (src/bot/messages/*.ts): every
 * template names its audience and renders from its sample; the text reads as a
 * Chinese service desk writes (full-width punctuation, no nested brackets, no
 * spaces inside Chinese, levels written 一级…四级, short); a customer's template
 * carries none of the staff's words.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MessageTemplate } from '../../src/bot/messages/catalogue.js';
import { houseRuleBreaks } from '../support/house-rules.js';

const DIR = path.resolve('src/bot/messages');
const modules = readdirSync(DIR).filter((f) => f.endsWith('.ts') && f !== 'catalogue.ts');

/**
 * Parameters for a template without a sample: every parameter "12" (it reads in place of a name, a time or a number)
 * (a template that needs more says so: give it a sample).
 */
const GENERIC: unknown = new Proxy({}, { get: (_t, key) => (typeof key === 'string' && key !== 'then' ? '12' : undefined) });

type Entry = { area: string; name: string; template: MessageTemplate<unknown> };

async function catalogue(): Promise<Entry[]> {
  const out: Entry[] = [];
  for (const file of modules) {
    const mod = (await import(path.join(DIR, file))) as Record<string, unknown>;
    for (const [exported, value] of Object.entries(mod)) {
      if (!value || typeof value !== 'object') continue;
      for (const [name, t] of Object.entries(value as Record<string, unknown>)) {
        if (t && typeof t === 'object' && 'text' in t) out.push({ area: `${file}:${exported}`, name, template: t as MessageTemplate<unknown> });
      }
    }
  }
  return out;
}

describe('the house rules themselves', () => {
  it.each([
    ['工程师 张工 已接单', 'a space between two Chinese characters'],
    ['已到达现场（#1（GD-20261124-0001））', 'nested brackets'],
    ['已受理,请稍候', 'ASCII punctuation in Chinese text'],
    ['已暂定为 3 级', 'a level written with a digit (write 一级…四级)'],
    ['请确认 ，谢谢', 'a space next to full-width punctuation'],
    ['⏰ 提醒：派单时限还剩 15 分钟', 'the staff-only word「派单」'],
  ])('catches %s', (text, rule) => {
    expect(houseRuleBreaks(text, 'customer')).toContain(rule);
  });
  it('passes a well-written customer text', () => {
    expect(houseRuleBreaks('已受理 #12（GD-20261124-0001）：三级故障，将安排工程师到现场。\n服务时限：首次响应 10:30前，到场 11月25日 22:00前。', 'customer')).toEqual([]);
  });
});

describe('the message catalogue', async () => {
  const entries = await catalogue();

  it('has templates to check', () => {
    expect(modules.length).toBeGreaterThan(0);
    expect(entries.length).toBeGreaterThan(10);
  });

  it.each(entries.map((e) => [`${e.area} ${e.name}`, e] as const))('%s: names its audience, renders and keeps the house rules', (_, e) => {
    expect(['customer', 'staff']).toContain(e.template.audience);
    let text: string;
    try {
      text = e.template.text(e.template.sample ?? GENERIC);
    } catch (err) {
      throw new Error(`${e.name} does not render from generic parameters: give it a sample (${String(err)})`);
    }
    expect(text.trim().length).toBeGreaterThan(0);
    expect(houseRuleBreaks(text, e.template.audience), text).toEqual([]);
  });
});
