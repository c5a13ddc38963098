/** 派巡检 #5 @张工: a manager or the desk gives an inspection job to an engineer. */
import { assignJob, jobMeant } from '../duties/inspections.js';
import { assignDutyCommand } from './duty.js';

export const inspectionAssign = assignDutyCommand({
  name: 'inspection_assign',
  word: '派巡检',
  pattern: /^(派巡检|巡检派工)/,
  order: 210,
  what: '巡检任务',
  example: (id) => `派巡检 #${id} @张工`,
  sample: 5,
  whom: '要派给的工程师',
  fits: (p) => p.role === 'engineer',
  meant: jobMeant,
  assign: assignJob,
});
