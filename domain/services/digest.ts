/**
 * Channel digests: the once-per-period record that makes the post happen exactly once (the
 * decision). What happened in the period (the data) is domain/read/digest.ts.
 */
import type { DataSource } from 'typeorm';

/** The outcome of {@link claimDigest}. */
export type DigestClaim<T> =
  /** Post `content` now (a fresh claim, or one a crashed run left unsent: send it again, deduped). */
  | { state: 'post'; content: T }
  /** This period's post is already on its way. */
  | { state: 'done' }
  /** Nothing happened: no post, and nothing recorded (a later run in the period may still post). */
  | { state: 'nothing' };

/**
 * Decides, once per (channel, period), what the period's post is. The row's primary key is the
 * idempotency key: whichever run inserts it fixes the content, every other run (a duplicate job, a
 * restart, a retry) reads that same content back, or learns it was already queued. `build` runs
 * only when no row exists; null means nothing to post.
 */
export async function claimDigest<T>(ds: DataSource, channelId: number, periodKey: string, build: () => Promise<T | null>): Promise<DigestClaim<T>> {
  const read = async (): Promise<DigestClaim<T> | null> => {
    const [row]: { status: 'pending' | 'queued'; content: T }[] = await ds.query(
      `SELECT status, content FROM digests WHERE channel_id = $1 AND period_key = $2`, [channelId, periodKey]);
    if (!row) return null;
    return row.status === 'queued' ? { state: 'done' } : { state: 'post', content: row.content };
  };
  const existing = await read();
  if (existing) return existing;
  const content = await build();
  if (content === null) return { state: 'nothing' };
  const inserted: unknown[] = await ds.query(
    `INSERT INTO digests (channel_id, period_key, content) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING 1`,
    [channelId, periodKey, JSON.stringify(content)]);
  if (inserted.length > 0) return { state: 'post', content };
  // Another run inserted it between our read and insert: its content wins.
  return (await read())!;
}

/** Records that the period's post was handed to the notifications pipeline. */
export async function markDigestQueued(ds: DataSource, channelId: number, periodKey: string): Promise<void> {
  await ds.query(`UPDATE digests SET status = 'queued', queued_at = now() WHERE channel_id = $1 AND period_key = $2`, [channelId, periodKey]);
}
