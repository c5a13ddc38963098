/**
 * How long personal data is kept (the Personal Information Protection Law asks
 * for a retention period, then deletion or anonymisation), as configuration:
 * config/retention.yaml (RETENTION_FILE). Pure schema and arithmetic; the
 * daily job is src/store/privacy.ts.
 */
import { z } from 'zod';

const DAY = 24 * 3600_000;

export const RetentionSchema = z
  .object({
    ignoredMessages: z
      .object({
        /** Text (and raw payload) of messages the bot did not act on (chit-chat, "收到"): dropped after this many days. */
        dropTextAfterDays: z.number().int().min(1).max(3650).default(7),
      })
      .strict()
      .default({ dropTextAfterDays: 7 }),
    closedTickets: z
      .object({
        /**
         * Days after a ticket is closed or cancelled before its personal fields (phone, names, the
         * personal parts of its texts, its messages and replies) are anonymised. Default 3 years:
         * the contract's record-keeping. Every other recorded message loses its text after this too.
         */
        anonymiseAfterDays: z.number().int().min(30).max(36_500).default(1095),
      })
      .strict()
      .default({ anonymiseAfterDays: 1095 }),
    /** When the daily job runs: cron (minute hour * * *), in the contract's time zone. */
    dailyAt: z
      .string()
      .regex(/^\s*\S+\s+\S+\s+\S+\s+\S+\s+\S+\s*$/, 'a cron expression of five fields, e.g. "30 3 * * *"')
      .default('30 3 * * *'),
  })
  .strict();

export type Retention = z.infer<typeof RetentionSchema>;

/** The moments before which data is dropped or anonymised, as of `now`. */
export function retentionCutoffs(r: Retention, now: Date): { ignoredText: Date; closedTickets: Date } {
  return {
    ignoredText: new Date(now.getTime() - r.ignoredMessages.dropTextAfterDays * DAY),
    closedTickets: new Date(now.getTime() - r.closedTickets.anonymiseAfterDays * DAY),
  };
}
