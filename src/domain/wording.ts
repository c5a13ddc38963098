/**
 * How the bot words things in the chat: short, polite Simplified Chinese, the
 * way a good service desk writes. Pure formatting helpers; no I/O.
 */
import { DateTime } from 'luxon';
import type { Contract, FaultLevel, TicketKind } from './contract.js';
import { STATUS_LABELS, type TicketStatus } from './ticket.js';

export const KIND_LABELS: Record<TicketKind, string> = { fault: '故障', consultation: '咨询', complaint: '投诉' };

/** "11月24日 10:30" in the contract's time zone; the year is added when it differs from `ref`. */
export function formatTime(at: Date, timezone: string, ref?: Date): string {
  const dt = DateTime.fromJSDate(at, { zone: timezone });
  const sameYear = !ref || DateTime.fromJSDate(ref, { zone: timezone }).year === dt.year;
  return dt.toFormat(sameYear ? 'M月d日 HH:mm' : 'yyyy年M月d日 HH:mm');
}

/** "1 小时 20 分钟", "2 天 3 小时", "5 分钟". */
export function formatSpan(ms: number): string {
  const minutes = Math.max(0, Math.round(ms / 60_000));
  if (minutes < 60) return `${minutes} 分钟`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  if (hours < 48) return rest ? `${hours} 小时 ${rest} 分钟` : `${hours} 小时`;
  const days = Math.floor(hours / 24);
  const h = hours % 24;
  return h ? `${days} 天 ${h} 小时` : `${days} 天`;
}

export function levelName(contract: Contract, level: FaultLevel | null): string {
  if (level === null) return '待定';
  return contract.faultLevels.find((l) => l.level === level)?.name ?? `${level}级`;
}

export function statusLabel(status: string): string {
  return STATUS_LABELS[status as TicketStatus] ?? status;
}

/** "#12 GD-20261124-0003" — the short reference people type and the full number. */
export function ticketTitle(t: { id: number; number: string }): string {
  return `#${t.id}（${t.number}）`;
}

/** The level question's choices, from the contract's level table. */
export function levelChoices(contract: Contract): Array<{ level: FaultLevel; label: string }> {
  return contract.faultLevels.map((l) => ({ level: l.level, label: l.question }));
}

/** Keeps stored user text from growing a chat message without bound. */
export function clip(text: string, max = 200): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

/** Site, device, symptom, phone in one line for cards and queries. */
export function ticketSummary(t: { site: string | null; device: string | null; symptom: string | null; phone: string | null }): string {
  const parts = [
    t.site ? `站点：${t.site}` : '',
    t.device ? `设备：${t.device}` : '',
    t.symptom ? `现象：${t.symptom}` : '',
    t.phone ? `电话：${t.phone}` : '',
  ].filter(Boolean);
  return parts.join('；');
}
