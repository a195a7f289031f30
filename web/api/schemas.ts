/**
 * zod schemas of every Mini App API input. A field the user typed that is not a number fails
 * with the bot's own code for it (price_not_number, amount_not_number, shares_not_number), so
 * the app shows the same texts as the chat; range rules (price 1..99, minimum order, funds) are
 * left to the domain's one pre-trade check.
 */
import { z } from 'zod';

/** A client-made key per tap: a retried request with it has one effect. */
const tapKey = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/);
const id = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER);

export const marketListQuery = z.object({
  category: z.string().max(40).optional(),
  search: z.string().max(100).optional(),
  page: z.coerce.number().int().min(0).max(10_000).default(0),
});

export const marketParams = z.object({ id });
export const marketQuery = z.object({ tf: z.enum(['1h', '1d', '1w', 'all']).default('1d') });
export const pageQuery = z.object({ page: z.coerce.number().int().min(0).max(10_000).default(0) });
export const liveQuery = z.object({ market: id.optional(), tma: z.string().max(4096).optional() });

/** An order as the app asks for it: buys by amount (kop, fee included), sells by shares. */
export const orderBody = z.object({
  marketId: id,
  intent: z.enum(['BUY_YES', 'BUY_NO', 'SELL_YES', 'SELL_NO']),
  kind: z.enum(['market', 'limit']),
  /** Own price 1..99 (limit), or a market order's worst price; absent for a market order: best + slippage. */
  price: z.number().int().optional(),
  amountKop: z.number().int().optional(),
  shares: z.number().int().optional(),
}).strict();
export type OrderBody = z.infer<typeof orderBody>;

export const placeBody = orderBody.extend({ key: tapKey }).strict();
export const cancelBody = z.object({ marketId: id, orderId: id, key: tapKey }).strict();

/** Codes of input the schemas refuse: the bot's parse errors (texts under `errors.`), or `bad_request`. */
export type InputCode = 'price_not_number' | 'amount_not_number' | 'shares_not_number' | 'market_not_found' | 'bad_request';

/** The bot's failure code for the first bad field of a rejected order body. */
export function orderInputCode(err: z.ZodError): InputCode {
  const field = err.issues[0]?.path[0];
  switch (field) {
    case 'price': return 'price_not_number';
    case 'amountKop': return 'amount_not_number';
    case 'shares': return 'shares_not_number';
    case 'marketId': return 'market_not_found';
    default: return 'bad_request';
  }
}
