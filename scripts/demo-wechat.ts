/**
 * npm run demo:wechat — one whole ticket in a WeChat group, on the real service
 * (temp SQLite database, bot, outbox dispatcher loop) with its WeChat channel on
 * wechaty + the mock puppet (MentionPuppetMock: the mention ids the bot sends
 * reach the room). Prints the room's transcript: service time, who said what,
 * and whom each message really @mentioned. Exits 0 when the ticket was closed.
 *
 * WECHAT_MIN_INTERVAL_MS (default here 200; the service's default is 1500)
 * sets the pacing between the bot's messages in a room.
 */
import {
  MOCK_PEOPLE,
  formatTranscript,
  startWechatMockService,
  type MockPersonKey,
  type WechatMockService,
} from '../test/support/wechat/mock-service.js';

async function main(): Promise<number> {
  const minIntervalMs = Number(process.env['WECHAT_MIN_INTERVAL_MS'] ?? 200);
  const h: WechatMockService = await startWechatMockService({ minIntervalMs, background: true });
  try {
    const step = async (minutes: number, who: MockPersonKey, text: string, mentions: MockPersonKey[] = []) => {
      if (minutes > 0) await h.advance(minutes);
      const r = await h.say(who, text, { mentions });
      if (r.outcome !== 'processed') throw new Error(`"${text}" from ${who}: ${r.outcome}`);
    };
    const ticketId = async () => (await h.svc.db.ticket.findFirstOrThrow({ orderBy: { id: 'desc' } })).id;

    await step(0, 'customer', '@售后小助手 小寨站进站闸机刷卡没反应，乘客进不了站，电话13800138000', ['bot']);
    await step(2, 'customer', '2');
    await step(3, 'manager', `派单 #${await ticketId()} @张工`, ['engineer']);
    await step(4, 'engineer', '接单');
    await step(50, 'engineer', '到场');
    await step(75, 'engineer', '已修复 更换读卡器模块，刷卡测试正常');
    await step(10, 'customer', '1');
    await step(1, 'customer', '5');

    const t = await h.svc.db.ticket.findUniqueOrThrow({ where: { id: await ticketId() } });
    const titles = new Map([
      [h.room.id, `${h.room.payload.topic} (${h.room.id})`],
      [h.managersRoom.id, `${h.managersRoom.payload.topic} (${h.managersRoom.id})`],
    ]);
    const people = (Object.keys(MOCK_PEOPLE) as MockPersonKey[])
      .filter((k) => k !== 'liGong')
      .map((k) => `${h.nameIn(h.room, MOCK_PEOPLE[k].id)}=${MOCK_PEOPLE[k].id}`)
      .join('  ');
    const out = [
      'servicebot WeChat demo: real service + wechaty + mock puppet (temp data folder, service clock from Tue 2026-11-24 10:00 Asia/Shanghai)',
      `people: ${people}  (张工 engineer and 李经理 manager by contact id in the org file; 王站长 is 老王's room alias)`,
      '',
      formatTranscript(h.transcript, { roomTitles: titles }),
      '',
      `ticket ${t.number} (#${t.id}): ${t.status}, level ${t.level}, satisfaction ${t.satisfaction}; outbox rows not sent: ${await h.svc.db.outbox.count({ where: { status: { not: 'sent' } } })}`,
    ];
    console.log(out.join('\n'));
    return t.status === 'closed' ? 0 : 1;
  } finally {
    await h.close();
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error('demo:wechat failed:', e);
    process.exit(1);
  },
);
