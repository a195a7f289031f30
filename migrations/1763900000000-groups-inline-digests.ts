import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Market cards posted outside the bot's private chats, and channel digests.
 *
 * - `posted_cards`: every market card that lives in someone else's chat: posted through inline
 *   mode (known by `inline_message_id`, Bot API `chosen_inline_result`) or by the bot into a group
 *   (`chat_id` + `message_id`). The card is edited in place as the market moves. `lane_id` is the
 *   notifications pipeline's chat id for its edits: the real chat id for group messages, else a
 *   synthetic negative id below -2^52 (Bot API: real chat ids have at most 52 significant bits, so
 *   these can never collide) shared by every card known to sit in the same chat (`chat_instance`).
 * - `digests`: one row per (channel, period), the idempotency key of a channel digest post.
 */
export class GroupsInlineDigests1763900000000 implements MigrationInterface {
  name = 'GroupsInlineDigests1763900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SEQUENCE posted_card_lane_seq`);
    await q.query(`
      CREATE TABLE posted_cards (
        id bigserial PRIMARY KEY,
        market_id bigint NOT NULL REFERENCES markets(id),
        inline_message_id text UNIQUE,
        chat_id bigint,
        message_id integer,
        chat_instance text,
        lane_id bigint NOT NULL,
        language text NOT NULL DEFAULT 'ru' CHECK (language IN ('ru', 'en')),
        posted_by_telegram_id bigint,
        shown_hash text,
        shown_status text,
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT posted_cards_one_target CHECK ((inline_message_id IS NULL) = (chat_id IS NOT NULL AND message_id IS NOT NULL)),
        CONSTRAINT posted_cards_chat_message UNIQUE (chat_id, message_id)
      )`);
    await q.query(`CREATE INDEX posted_cards_market_idx ON posted_cards (market_id) WHERE active`);
    await q.query(`CREATE INDEX posted_cards_instance_idx ON posted_cards (chat_instance) WHERE chat_instance IS NOT NULL`);
    // Group markets (/predict) are listed per chat: /resolve and /top in the group.
    await q.query(`CREATE INDEX markets_chat_idx ON markets (chat_id) WHERE chat_id IS NOT NULL`);
    await q.query(`
      CREATE TABLE digests (
        channel_id bigint NOT NULL,
        period_key text NOT NULL,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'queued')),
        content jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        queued_at timestamptz,
        PRIMARY KEY (channel_id, period_key)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS digests`);
    await q.query(`DROP INDEX IF EXISTS markets_chat_idx`);
    await q.query(`DROP TABLE IF EXISTS posted_cards`);
    await q.query(`DROP SEQUENCE IF EXISTS posted_card_lane_seq`);
  }
}
