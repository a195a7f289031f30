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
 * - Leagues (monthly Moscow seasons `YYYY-MM`): `league_divisions` is each user's division for the
 *   next season they play; `league_members` places a user in a season's division and cohort at
 *   their first fill of that season; `league_results` is the final table, written once by the season
 *   close (with any prize posted from `house:promo`, keyed `league:<season>:<user>`);
 *   `league_seasons` marks a season closed, so a second run of the close changes nothing.
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
    const division = `text NOT NULL CHECK (division IN ('bronze', 'silver', 'gold', 'platinum', 'diamond', 'masters'))`;
    await q.query(`CREATE TABLE league_divisions (user_id bigint PRIMARY KEY REFERENCES users(id), division ${division})`);
    await q.query(`
      CREATE TABLE league_members (
        season text NOT NULL CHECK (season ~ '^[0-9]{4}-[0-9]{2}$'),
        user_id bigint NOT NULL REFERENCES users(id),
        division ${division},
        cohort integer NOT NULL CHECK (cohort >= 1),
        joined_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (season, user_id)
      )`);
    await q.query(`CREATE INDEX league_members_cohort_idx ON league_members (season, division, cohort)`);
    await q.query(`
      CREATE TABLE league_results (
        season text NOT NULL,
        user_id bigint NOT NULL REFERENCES users(id),
        division ${division},
        cohort integer NOT NULL,
        place integer NOT NULL CHECK (place >= 1),
        cohort_size integer NOT NULL CHECK (cohort_size >= place),
        score_kop bigint NOT NULL,
        correct integer NOT NULL,
        calls integer NOT NULL,
        movement text NOT NULL CHECK (movement IN ('promoted', 'stayed', 'relegated')),
        prize_kop bigint NOT NULL DEFAULT 0 CHECK (prize_kop >= 0),
        PRIMARY KEY (season, user_id)
      )`);
    await q.query(`CREATE TABLE league_seasons (season text PRIMARY KEY, closed_at timestamptz NOT NULL DEFAULT now())`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE league_seasons`);
    await q.query(`DROP TABLE league_results`);
    await q.query(`DROP TABLE league_members`);
    await q.query(`DROP TABLE league_divisions`);
    await q.query(`DROP TABLE achievements`);
    await q.query(`DROP TABLE referrals`);
    await q.query(`ALTER TABLE users DROP COLUMN ref_code`);
  }
}
