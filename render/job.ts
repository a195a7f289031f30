/**
 * Single entry point for rendering off the main thread. A BullMQ sandboxed processor can
 * call {@link renderJob} with `job.data` unchanged: every input is plain JSON (no callbacks;
 * time-axis labels arrive pre-formatted), so it survives the trip through Redis.
 */
import { renderMarketCard, type MarketCardInput } from './card';
import { renderDigest, type DigestInput } from './digest';

/** A render request: which image, and its JSON-serializable input. */
export type RenderJob = { kind: 'card'; input: MarketCardInput } | { kind: 'digest'; input: DigestInput };

/**
 * Renders the image a job describes.
 * @returns PNG bytes. A sandboxed processor's return value is JSON-encoded by BullMQ, so
 *   return e.g. `png.toString('base64')` from the processor rather than the Buffer itself.
 */
export async function renderJob(job: RenderJob): Promise<Buffer> {
  switch (job.kind) {
    case 'card':
      return renderMarketCard(job.input);
    case 'digest':
      return renderDigest(job.input);
    default: {
      // Data from a queue is untyped at runtime; an unknown kind must fail loudly, not render nothing.
      const unknown: never = job;
      throw new Error(`unknown render job kind: ${(unknown as { kind: unknown }).kind}`);
    }
  }
}
