/** 绑定客户 名称: the desk or a manager binds this chat to a customer (created if new). */
import { noteOf } from '../../domain/commands.js';
import { clip } from '../../domain/wording.js';
import { chatCommand } from './command.js';
import { commandMessages as CM } from '../messages/replies.js';

export const bindCustomer = chatCommand<{ name: string }>({
  name: 'bind_customer',
  word: '绑定客户',
  parse: { pattern: /^绑定客户/, args: (rest) => (noteOf(rest) ? { name: noteOf(rest)! } : null) },
  roles: ['desk', 'manager', 'vp'],
  refusals: { engineer: CM.bindRefused.text() },
  help: { managers: { line: '绑定客户 西安地铁二号线', order: 204 } },
  async run({ ctx, args, say }) {
    const clean = clip(args.name, 60);
    const existing =
      (await ctx.tx.customer.findUnique({ where: { name: clean } })) ?? (await ctx.tx.customer.findFirst({ where: { name: { contains: clean } } }));
    const customer = existing ?? (await ctx.tx.customer.create({ data: { name: clean } }));
    await ctx.tx.chat.update({ where: { id: ctx.chat.id }, data: { customerId: customer.id, purpose: 'customer' } });
    await say(CM.bound.text({ customer: customer.name, created: !existing }));
  },
});
