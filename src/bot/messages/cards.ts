/**
 * What a card shows once it is answered (in place of its buttons), and the
 * short toast a click gets on Feishu. The card keeps its title and text; the
 * choice replaces the buttons (bot/cards.ts).
 */
import { defineMessages } from './catalogue.js';

export const cardMessages = defineMessages({
  /** The level question answered (by button or by text). */
  levelChosen: { audience: 'customer', text: (p: { level: string }) => `已选择：${p.level}`, sample: { level: '二级' } },
  levelToast: { audience: 'customer', text: (p: { level: string }) => `已选择${p.level}`, sample: { level: '二级' } },
  /** "到场了吗" with several tickets: the ticket chosen. */
  whichChosen: { audience: 'customer', text: (p: { choice: string }) => `已选择：${p.choice}`, sample: { choice: '#12 小寨站闸机' } },
  /** The dispatch card, once taken (and its other buttons). */
  taken: { audience: 'staff', text: (p: { engineer: string }) => `${p.engineer}已接单`, sample: { engineer: '张工' } },
  takenToast: { audience: 'staff', text: () => '已接单' },
  arrived: { audience: 'staff', text: (p: { engineer: string }) => `${p.engineer}已到场`, sample: { engineer: '张工' } },
  arrivedToast: { audience: 'staff', text: () => '已记录到场' },
  resolved: { audience: 'staff', text: (p: { engineer: string }) => `${p.engineer}已报修复`, sample: { engineer: '张工' } },
  resolvedToast: { audience: 'staff', text: () => '已报修复' },
  /** The confirmation card. */
  confirmed: { audience: 'customer', text: () => '已确认修复' },
  denied: { audience: 'customer', text: () => '已反馈：还没好' },
  deniedToast: { audience: 'customer', text: () => '已反馈，我们马上安排处理' },
  /** The rating card. */
  rated: { audience: 'customer', text: (p: { score: number; label: string }) => `评分：${p.score}分，${p.label}`, sample: { score: 5, label: '非常满意' } },
  ratedToast: { audience: 'customer', text: () => '感谢评价' },
  /** The fee card. */
  feeAgreed: { audience: 'customer', text: () => '已同意收费' },
  feeWaived: { audience: 'customer', text: () => '已批准免费处理' },
  feeToast: { audience: 'customer', text: () => '已记录' },
  /** A click on a button the bot no longer knows (toast only). */
  staleButton: { audience: 'customer', text: () => '该按钮已失效' },
});
