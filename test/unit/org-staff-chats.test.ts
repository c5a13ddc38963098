/** The per-customer staff group in the organisation file: where it may be, and the error when it may not. */
import { describe, expect, it } from 'vitest';
import { OrgSchema, staffRoutingGaps } from '../../src/domain/org.js';

const base = (staffChats: unknown[], extra: Record<string, unknown> = {}) => ({
  customers: [
    { name: '甲公司', chats: [{ channel: 'sandbox', id: 'a' }], staffChats },
    { name: '乙公司', chats: [{ channel: 'sandbox', id: 'b' }] },
  ],
  managersGroups: [{ channel: 'sandbox', id: 'managers' }],
  ...extra,
});

function errors(org: unknown): string[] {
  const r = OrgSchema.safeParse(org);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('customers[].staffChats', () => {
  it('accepts a separate staff group on a channel where the customer has a chat, and none at all', () => {
    expect(errors(base([{ channel: 'sandbox', id: 'staff-a' }]))).toEqual([]);
    expect(errors(base([]))).toEqual([]);
    expect(OrgSchema.parse(base([{ channel: 'sandbox', id: 'staff-a' }])).customers[1]!.staffChats).toEqual([]);
  });

  it.each([
    [[{ channel: 'sandbox', id: 'a' }], "customers.0.staffChats.0: sandbox:a is this customer chat; the staff group must be a separate chat the customer is not in"],
    [[{ channel: 'sandbox', id: 'b' }], 'customers.0.staffChats.0: sandbox:b is "乙公司"\'s customer chat; the staff group must be a separate chat the customer is not in'],
    [[{ channel: 'sandbox', id: 'managers' }], "customers.0.staffChats.0: sandbox:managers is a managers' group; leave staffChats out to use the managers' group, or name a separate staff group"],
    [[{ channel: 'feishu', id: 'oc_x' }], 'customers.0.staffChats.0: "甲公司" has no chat on feishu; a staff group serves the customer\'s chats on its own channel'],
    [[{ channel: 'sandbox', id: 's1' }, { channel: 'sandbox', id: 's2' }], 'customers.0.staffChats.1: two staff groups on sandbox for "甲公司"; keep one'],
  ])('refuses %j, saying why', (staffChats, message) => {
    expect(errors(base(staffChats))).toContain(message);
  });

  it('refuses one staff group shared by two customers', () => {
    const org = base([{ channel: 'sandbox', id: 'staff' }]);
    (org.customers[1] as { staffChats?: unknown[] }).staffChats = [{ channel: 'sandbox', id: 'staff' }];
    expect(errors(org)).toContain('customers.1.staffChats.0: sandbox:staff is already "甲公司"\'s staff group; each customer needs its own');
  });
});

describe('staffRoutingGaps: where staff-only messages would have no chat', () => {
  const org = (extra: Record<string, unknown>) =>
    OrgSchema.parse({
      customers: [
        { name: '甲公司', chats: [{ channel: 'feishu', id: 'oc_a' }], staffChats: [{ channel: 'feishu', id: 'oc_staff_a' }] },
        { name: '乙公司', chats: [{ channel: 'feishu', id: 'oc_b' }, { channel: 'wecom-kf', id: 'kf_b' }] },
      ],
      ...extra,
    });

  it('names the customers whose staff messages would not be sent, per channel', () => {
    const gaps = staffRoutingGaps(org({}), ['feishu', 'wecom-kf']);
    expect(gaps).toHaveLength(2);
    expect(gaps[0]).toContain('feishu: no managers\' group on feishu and no staff group for "乙公司"');
    expect(gaps[0]).not.toContain('甲公司');
    expect(gaps[1]).toContain('wecom-kf: no managers\' group on feishu and no staff group for "乙公司"');
  });

  it('is empty with a managers\' group on the channel, and for a 微信客服 customer whose staff are on another running channel', () => {
    expect(staffRoutingGaps(org({ managersGroups: [{ channel: 'feishu', id: 'oc_m' }] }), ['feishu', 'wecom-kf'])).toEqual([]);
  });

  it('says so for a running channel with no customers yet and no managers\' group (chats bound later)', () => {
    const gaps = staffRoutingGaps(OrgSchema.parse({ managersGroups: [{ channel: 'feishu', id: 'oc_m' }] }), ['feishu', 'wecom']);
    expect(gaps).toEqual([expect.stringContaining("wecom: no managers' group on wecom; staff-only messages about tickets from chats bound later")]);
  });
});
