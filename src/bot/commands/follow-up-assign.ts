/** 派回访 #7 @客服小刘: a manager or the desk gives a follow-up visit to someone. */
import { assignVisit, visitMeant } from '../duties/follow-ups.js';
import { assignDutyCommand } from './duty.js';

export const followUpAssign = assignDutyCommand({
  name: 'follow_up_assign',
  word: '派回访',
  pattern: /^(派回访|回访派工)/,
  order: 211,
  what: '回访任务',
  example: (id) => `派回访 #${id} @客服小刘`,
  sample: 7,
  whom: '负责回访的同事',
  fits: (p) => p.role !== 'customer',
  meant: visitMeant,
  assign: assignVisit,
});
