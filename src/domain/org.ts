/**
 * The organisation around the contract, as configuration: customers and their
 * warranty and scope, the supplier's staff and their roles on each channel,
 * the managers' groups, and the on-duty rota. Pure schema; loading is src/config.ts.
 */
import { z } from 'zod';
import { CHANNELS, CUSTOMER_ONLY_CHANNELS, type ChannelName } from '../core/channel.js';
import { ROLES } from './contract.js';
import { CUSTOMER_PLAN_FIELDS, checkCustomerPlans } from './customer-plans.js';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date written YYYY-MM-DD');
const channel = z.enum(CHANNELS);

export const OrgSchema = z
  .object({
    /** Extra contract files by name; "default" is CONTRACT_FILE. */
    contracts: z.record(z.string(), z.string()).default({}),
    customers: z
      .array(
        z
          .object({
            name: z.string().min(1),
            contract: z.string().default('default'),
            warrantyStart: isoDate.optional(),
            warrantyEnd: isoDate.optional(),
            /** Canonical device names covered; empty means all equipment. */
            scope: z.array(z.string()).default([]),
            chats: z.array(z.object({ channel, id: z.string().min(1) }).strict()).default([]),
            /**
             * The supplier's own group for this customer (one per channel at most): where
             * dispatch requests, reminders and other staff-only messages about this
             * customer's tickets go. Without one, the managers' group on that channel.
             */
            staffChats: z.array(z.object({ channel, id: z.string().min(1) }).strict()).default([]),
            /** Inspection plans and the follow-up visit schedule (customer-plans.ts). */
            ...CUSTOMER_PLAN_FIELDS,
          })
          .strict(),
      )
      .default([]),
    staff: z
      .array(
        z
          .object({
            name: z.string().min(1),
            role: z.enum(ROLES).exclude(['customer']),
            department: z.string().optional(),
            phone: z.string().optional(),
            /** The person's user id on each channel (Feishu open_id, WeChat contact id, sandbox id,
             * WeCom userid; for wecom-kf the customer-service servicer's userid). */
            ids: z.object(Object.fromEntries(CHANNELS.map((c) => [c, z.string()])) as Record<ChannelName, z.ZodString>).partial().strict(),
          })
          .strict(),
      )
      .default([]),
    /** Feishu department id → role, for staff not listed by name. */
    feishuDepartmentRoles: z.record(z.string(), z.enum(ROLES)).default({}),
    managersGroups: z.array(z.object({ channel, id: z.string().min(1) }).strict()).default([]),
    /** On-duty engineers by ISO weekday (1 = Monday … 7 = Sunday), by staff name. */
    rota: z.array(z.object({ weekday: z.number().int().min(1).max(7), engineer: z.string().min(1) }).strict()).default([]),
  })
  .strict()
  .superRefine((org, ctx) => {
    checkCustomerPlans(org, (path, message) => ctx.addIssue({ code: 'custom', path, message }));
    const names = new Set(org.staff.map((s) => s.name));
    org.rota.forEach((r, i) => {
      if (!names.has(r.engineer)) {
        ctx.addIssue({ code: 'custom', path: ['rota', i, 'engineer'], message: `"${r.engineer}" is not in staff` });
      }
    });
    checkStaffChats(org, (path, message) => ctx.addIssue({ code: 'custom', path, message }));
    org.customers.forEach((c, i) => {
      if (c.contract !== 'default' && !(c.contract in org.contracts)) {
        ctx.addIssue({ code: 'custom', path: ['customers', i, 'contract'], message: `no contract named "${c.contract}" under contracts` });
      }
    });
  });

export type Org = z.infer<typeof OrgSchema>;

type OrgShape = {
  customers: Array<{ name: string; chats: Array<{ channel: ChannelName; id: string }>; staffChats: Array<{ channel: ChannelName; id: string }> }>;
  managersGroups: Array<{ channel: ChannelName; id: string }>;
};

/**
 * A staff group must be a chat the customer is not in: never one of any
 * customer's chats, never a managers' group, one per customer and channel, and
 * on a channel where the customer has a chat (mentions are per channel).
 */
function checkStaffChats(org: OrgShape, issue: (path: (string | number)[], message: string) => void): void {
  const key = (c: { channel: string; id: string }) => `${c.channel}:${c.id}`;
  const customerChats = new Map<string, string>();
  for (const c of org.customers) for (const ch of c.chats) customerChats.set(key(ch), c.name);
  const managers = new Set(org.managersGroups.map(key));
  const owners = new Map<string, string>();
  org.customers.forEach((c, i) => {
    const channels = new Set<string>();
    c.staffChats.forEach((s, j) => {
      const at = ['customers', i, 'staffChats', j];
      const k = key(s);
      const customer = customerChats.get(k);
      if (customer) issue(at, `${k} is ${customer === c.name ? 'this' : `"${customer}"'s`} customer chat; the staff group must be a separate chat the customer is not in`);
      else if (managers.has(k)) issue(at, `${k} is a managers' group; leave staffChats out to use the managers' group, or name a separate staff group`);
      else if (owners.has(k) && owners.get(k) !== c.name) issue(at, `${k} is already "${owners.get(k)}"'s staff group; each customer needs its own`);
      if (channels.has(s.channel)) issue(at, `two staff groups on ${s.channel} for "${c.name}"; keep one`);
      if (!c.chats.some((ch) => ch.channel === s.channel)) issue(at, `"${c.name}" has no chat on ${s.channel}; a staff group serves the customer's chats on its own channel`);
      channels.add(s.channel);
      owners.set(k, c.name);
    });
  });
}

/**
 * Where staff-only messages (dispatch requests, reminders, breaches, duty jobs) would find no chat:
 * a running channel with customers' chats but neither a staff group for each of them nor a
 * managers' group. They are never shown to the customer instead, so they would not be sent at all;
 * the service says so at start. Customer-only channels (微信客服) use the staff's chats on the
 * other running channels. Returns one sentence per gap, empty when every message has a place.
 */
export function staffRoutingGaps(org: OrgShape, running: readonly ChannelName[]): string[] {
  const staffChannels = running.filter((c) => !CUSTOMER_ONLY_CHANNELS.includes(c));
  const gaps: string[] = [];
  for (const ch of running) {
    const homes = CUSTOMER_ONLY_CHANNELS.includes(ch) ? staffChannels : [ch];
    if (org.managersGroups.some((g) => homes.includes(g.channel))) continue;
    const uncovered = org.customers.filter((c) => c.chats.some((x) => x.channel === ch) && !c.staffChats.some((s) => homes.includes(s.channel)));
    const where = homes.length ? homes.join('/') : 'any staff channel';
    if (uncovered.length) gaps.push(`${ch}: no managers' group on ${where} and no staff group for ${uncovered.map((c) => `"${c.name}"`).join(', ')}; dispatch requests, reminders and other staff-only messages about their tickets will not be sent (add managersGroups or customers[].staffChats in the organisation file)`);
    else if (!org.customers.some((c) => c.chats.some((x) => x.channel === ch)) && ch !== 'sandbox') gaps.push(`${ch}: no managers' group on ${where}; staff-only messages about tickets from chats bound later (绑定客户) will not be sent until one is added to managersGroups`);
  }
  return gaps;
}
