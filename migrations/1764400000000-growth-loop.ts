import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The growth loop (issue 12).
 *
 * - `users.ref_code`: the user's invitation code (`/start ref_<code>`), made at their first /invite.
 * - `referrals`: who invited whom, one row per invitee (attribution happens once, on the invitee's
 *   first /start), never oneself. `rewarded_at` is set once, in the transaction that posts the
 *   rewards from `house:promo` (postings keyed `referral:<invitee>:inviter|invitee`); a reward over
 *   the inviter's monthly cap is recorded as `inviter_reward_kop = 0`.
 * - `achievements`: one row per user and achievement code (awarded once), with the chat it was
 *   announced in.
 */
export class GrowthLoop1764400000000 implements MigrationInterface {
  name = 'GrowthLoop1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE users ADD COLUMN ref_code text UNIQUE CHECK (ref_code ~ '^[a-z0-9]{6,16}$')`);
    await q.query(`
      CREATE TABLE referrals (
        invitee_id bigint PRIMARY KEY REFERENCES users(id),
        inviter_id bigint NOT NULL REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        rewarded_at timestamptz,
        inviter_reward_kop bigint CHECK (inviter_reward_kop >= 0),
        invitee_reward_kop bigint CHECK (invitee_reward_kop >= 0),
        CHECK (invitee_id <> inviter_id),
        CHECK ((rewarded_at IS NULL) = (inviter_reward_kop IS NULL) AND (rewarded_at IS NULL) = (invitee_reward_kop IS NULL))
      )`);
    await q.query(`CREATE INDEX referrals_inviter_idx ON referrals (inviter_id, rewarded_at)`);
    await q.query(`CREATE INDEX referrals_unrewarded_idx ON referrals (invitee_id) WHERE rewarded_at IS NULL`);
    await q.query(`
      CREATE TABLE achievements (
        user_id bigint NOT NULL REFERENCES users(id),
        code text NOT NULL,
        chat_id bigint NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (user_id, code)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE achievements`);
    await q.query(`DROP TABLE referrals`);
    await q.query(`ALTER TABLE users DROP COLUMN ref_code`);
  }
}
