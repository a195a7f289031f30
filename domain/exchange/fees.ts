/**
 * Trading fees (DESIGN §2). Source: the seed plan fee schedule (seed 000, section "Economic model →
 * Fees"): monthly taker volume < 10 000 ₽ → 0.10 %, 10 000–100 000 ₽ → 0.05 %,
 * > 100 000 ₽ → 0.02 %; market makers get a 0.01 % rebate. All amounts are integer kop; rates
 * are integer basis points (1 bp = 0.01 %), so the maths never leaves the integers.
 *
 * Rounding (DESIGN §2): fees round UP, rebates round DOWN. A taker order's fee is charged per fill
 * cumulatively ({@link cumulativeFee}) so that its total is ceil(total notional × bps / 10 000):
 * the same figure the buy reserve and the bet preview use, however the order splits into fills.
 */
import { ceilDiv, floorDiv, kop, type Kop } from '../money';

/** Basis points per unit: a rate of `bps` takes notional × bps / 10 000. */
export const BPS_DENOMINATOR = 10_000;

/** Maker rebate rate, bps of the maker's own notional (seed plan fee schedule: 0.01 %). */
export const MAKER_REBATE_BPS = 1;

/** One step of the taker schedule: applies from `fromVolumeKop` (inclusive) of 30-day taker volume. */
export interface FeeTierStep {
  fromVolumeKop: Kop;
  bps: number;
}

/**
 * The seed plan taker schedule by 30-day taker volume, ascending. Boundaries read the plan's
 * "10 000–100 000 ₽" as inclusive, so exactly 10 000 ₽ already earns 5 bps and "> 100 000 ₽"
 * starts one kopeck above 100 000 ₽.
 */
export const TAKER_FEE_SCHEDULE: readonly FeeTierStep[] = [
  { fromVolumeKop: kop(0), bps: 10 },
  { fromVolumeKop: kop(1_000_000), bps: 5 },
  { fromVolumeKop: kop(10_000_001), bps: 2 },
];

/** What the bot shows about a user's fee tier. */
export interface FeeTier {
  /** 0-based index into {@link TAKER_FEE_SCHEDULE}. */
  index: number;
  /** Current taker rate, bps. */
  takerBps: number;
  makerRebateBps: number;
  /** The next cheaper tier, or null at the top: its rate, where it starts, and how much volume is missing. */
  next: { takerBps: number; fromVolumeKop: Kop; missingKop: Kop } | null;
}

/**
 * The tier for a 30-day taker volume (kop, ≥ 0; a negative volume is treated as 0).
 * Seed plan fee schedule.
 */
export function feeTier(volume30dKop: Kop): FeeTier {
  let index = 0;
  while (index + 1 < TAKER_FEE_SCHEDULE.length && volume30dKop >= TAKER_FEE_SCHEDULE[index + 1]!.fromVolumeKop) index++;
  const nextStep = TAKER_FEE_SCHEDULE[index + 1];
  return {
    index,
    takerBps: TAKER_FEE_SCHEDULE[index]!.bps,
    makerRebateBps: MAKER_REBATE_BPS,
    next: nextStep
      ? { takerBps: nextStep.bps, fromVolumeKop: nextStep.fromVolumeKop, missingKop: kop(nextStep.fromVolumeKop - Math.max(0, volume30dKop)) }
      : null,
  };
}

/** Taker fee rate (bps) for a 30-day taker volume in kop. Seed plan fee schedule. */
export function takerFeeBps(volume30dKop: Kop): number {
  return feeTier(volume30dKop).takerBps;
}

/** ceil(notional × bps / 10 000): the whole fee of an order with this total notional (kop ≥ 0). */
export function feeOn(notionalKop: number, bps: number): Kop {
  return kop(ceilDiv(notionalKop * bps, BPS_DENOMINATOR));
}

/**
 * The fee of one fill of a taker order, charged cumulatively (DESIGN §2 rounding rule):
 * ceil((before + fill) × bps / 10 000) − ceil(before × bps / 10 000), where `beforeKop` is the
 * order's notional filled so far and `fillKop` this fill's notional (both in the taker's own terms).
 * Summed over an order's fills this telescopes to {@link feeOn} of the total.
 */
export function cumulativeFee(beforeKop: number, fillKop: number, bps: number): Kop {
  return kop(feeOn(beforeKop + fillKop, bps) - feeOn(beforeKop, bps));
}

/** A maker's rebate on one fill: floor(maker notional × {@link MAKER_REBATE_BPS} / 10 000), kop. */
export function makerRebate(makerNotionalKop: number): Kop {
  return kop(floorDiv(makerNotionalKop * MAKER_REBATE_BPS, BPS_DENOMINATOR));
}

/**
 * The largest notional N (kop) a "spend X ₽" order can buy so that N + feeOn(N) ≤ X.
 * Exact in integers: ceil(N·b/10⁴) ≤ X − N ⇔ N·b ≤ 10⁴(X − N) ⇔ N ≤ floor(10⁴·X / (10⁴ + b)).
 */
export function maxNotionalForSpend(spendKop: Kop, bps: number): Kop {
  return kop(floorDiv(spendKop * BPS_DENOMINATOR, BPS_DENOMINATOR + bps));
}
