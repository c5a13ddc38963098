/** 通告 [全部/客户名称] [计划检修/安全通告/产品更新] …: a manager's notice to the customers' chats. */
import { NOTICE_KIND_LABELS } from '../../domain/notice.js';
import { postNotice } from '../duties/notices.js';
import { dutyMessages } from '../messages/duties.js';
import { chatCommand } from './command.js';
import { bare, confirmToStaff, readDuty } from './duty.js';
import { dutyCommandMessages as DM } from '../messages/replies.js';

export const notice = chatCommand({
  name: 'notice',
  word: '通告',
  parse: { pattern: /^(发布通告|发通告|通告)(?=$|\s|[:：])/, args: bare },
  roles: ['manager', 'vp'],
  refusals: { engineer: DM.noticeByManager.text(), desk: DM.noticeByManager.text() },
  help: { managers: { line: '通告 全部 计划检修 12月5日 01:00-05:00 服务器 系统升级（或 安全通告 / 产品更新；全部 可换成客户名称）', order: 212 } },
  async run({ ctx, person, say }) {
    const cmd = await readDuty(ctx, 'notice');
    if (typeof cmd === 'string') return say(cmd);
    const r = await postNotice(ctx, { id: person.id, name: person.name }, cmd, 'chat');
    if (!r.ok) return say(r.reason);
    await confirmToStaff(ctx, person, dutyMessages.noticePosted.text({ notice: r.notice.id, label: NOTICE_KIND_LABELS[r.notice.kind], chats: r.chats }));
  },
});
