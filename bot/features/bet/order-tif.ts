/**
 * Time in force of a LIMIT order on the order preview (README "Order types and fees"): GTC by
 * default, GTD until a preset or typed Moscow time, IOC, FOK, and post-only on top of GTC/GTD.
 * This module owns the choice's session fields, the expiry presets and the toggle rows; the scene
 * stores the choice in its draft and re-runs the domain preview on every change, and
 * order-preview.ts says what the choice means. Market orders have no choice here: they are
 * always IOC with a slippage guard.
 */
import { DateTime, Duration } from 'luxon';
import { z } from 'zod';
import type { TimeInForce } from '../../../domain/exchange/types';
import { cb, type ExpiryPreset } from '../../../messages/callback-data';
import type { BotContext } from '../../context';
import { button, type Keyboard } from '../../ui';

/** Expiry presets and typed times are Moscow wall-clock times (the product's time zone). */
const ZONE = 'Europe/Moscow';
/** Presets in the order the preview offers them. */
const PRESETS: readonly ExpiryPreset[] = ['1h', 'eod', '24h', '7d'];
/** The preset picked when GTD is switched on, if the market is open that long. */
const DEFAULT_PRESET: ExpiryPreset = '24h';
/** "Today 23:59" is offered only while this much of the Moscow day is left; nearer midnight "1 h" says about the same. */
const EOD_MIN_LEFT = Duration.fromObject({ hours: 2 });
/** A typed expiry must be at least this many minutes away, so the order is not gone before the user has confirmed it. */
export const MIN_TYPED_LIFE_MIN = 5;

/** Session fields of the choice (UI state only; every value is re-checked by the domain preview and the worker). */
export const tifFields = {
  /** Limit orders only; absent means GTC. */
  tif: z.enum(['GTC', 'GTD', 'IOC', 'FOK']).optional(),
  postOnly: z.boolean().optional(),
  /** GTD: the preset picked, or 'custom' for a typed time. */
  expiry: z.enum(['1h', 'eod', '24h', '7d', 'custom']).optional(),
  /** GTD: expiry, epoch ms. A preset's is fixed each time a preview shows it, so Confirm submits exactly what was shown. */
  expiresAt: z.number().int().positive().optional(),
};

/** The choice as the preview uses it. */
export interface TifChoice {
  tif: TimeInForce;
  postOnly: boolean;
  expiry?: ExpiryPreset | 'custom';
  expiresAt?: number;
}

const TIF_BUTTON_KEY: Record<TimeInForce, string> = {
  GTC: 'order.tif_gtc_button',
  GTD: 'order.tif_gtd_button',
  IOC: 'order.tif_ioc_button',
  FOK: 'order.tif_fok_button',
};

const PRESET_KEY: Record<ExpiryPreset, string> = {
  '1h': 'order.expiry_1h',
  eod: 'order.expiry_eod',
  '24h': 'order.expiry_24h',
  '7d': 'order.expiry_7d',
};

/** Post-only makes sense only for an order that may rest (exchange/limits: post_only_requires_resting). */
function canRest(tif: TimeInForce): boolean {
  return tif === 'GTC' || tif === 'GTD';
}

/** When `preset`, picked at `nowMs`, expires (epoch ms); "eod" is 23:59 Moscow time of that day. */
export function presetExpiry(preset: ExpiryPreset, nowMs: number): number {
  const now = DateTime.fromMillis(nowMs, { zone: ZONE });
  switch (preset) {
    case '1h': return now.plus({ hours: 1 }).toMillis();
    case '24h': return now.plus({ hours: 24 }).toMillis();
    case '7d': return now.plus({ days: 7 }).toMillis();
    case 'eod': return now.set({ hour: 23, minute: 59, second: 0, millisecond: 0 }).toMillis();
  }
}

/**
 * The presets that make sense at `nowMs` for a market trading until `deadlineMs`: each must end
 * before the deadline (at the deadline every open order is cancelled anyway, so GTC already covers
 * "until the market closes").
 */
export function expiryPresets(nowMs: number, deadlineMs: number): ExpiryPreset[] {
  return PRESETS.filter((p) => {
    const at = presetExpiry(p, nowMs);
    return at < deadlineMs && (p !== 'eod' || at - nowMs >= EOD_MIN_LEFT.toMillis());
  });
}

/** Whether a typed expiry is usable: a little in the future and before the market's deadline. */
export function typedExpiryFits(atMs: number, nowMs: number, deadlineMs: number): boolean {
  return atMs >= DateTime.fromMillis(nowMs).plus({ minutes: MIN_TYPED_LIFE_MIN }).toMillis() && atMs < deadlineMs;
}

/**
 * The choice made concrete for a preview at `nowMs`: a GTD preset gets its expiry time; a preset
 * (or typed time) that no longer fits falls back to the first preset that does, else to GTC.
 */
export function settleChoice(c: TifChoice, nowMs: number, deadlineMs: number): TifChoice {
  const postOnly = c.postOnly && canRest(c.tif);
  if (c.tif !== 'GTD') return { tif: c.tif, postOnly };
  if (c.expiry === 'custom' && c.expiresAt !== undefined && c.expiresAt > nowMs && c.expiresAt < deadlineMs) {
    return { tif: 'GTD', postOnly, expiry: 'custom', expiresAt: c.expiresAt };
  }
  const presets = expiryPresets(nowMs, deadlineMs);
  const preset = presets.find((p) => p === c.expiry) ?? presets.find((p) => p === DEFAULT_PRESET) ?? presets[0];
  if (!preset) return { tif: 'GTC', postOnly };
  return { tif: 'GTD', postOnly, expiry: preset, expiresAt: presetExpiry(preset, nowMs) };
}

/**
 * The preview's toggle rows: time in force (GTD only when some expiry fits before the deadline),
 * the GTD presets, and post-only for orders that may rest. The picked options carry a check mark.
 */
export function tifRows(ctx: BotContext, c: TifChoice, presets: readonly ExpiryPreset[]): Keyboard {
  const mark = (on: boolean, label: string) => (on ? ctx.tp('order.selected', { label }) : label);
  const tifs = (['GTC', 'GTD', 'IOC', 'FOK'] as const).filter((t) => t !== 'GTD' || c.tif === 'GTD' || presets.length > 0);
  const rows: Keyboard = [tifs.map((t) => button(mark(c.tif === t, ctx.tp(TIF_BUTTON_KEY[t])), cb.orderTif.encode({ tif: t })))];
  if (c.tif === 'GTD' && presets.length > 0) {
    rows.push(presets.map((p) => button(mark(c.expiry === p, ctx.tp(PRESET_KEY[p])), cb.orderExpiry.encode({ preset: p }))));
  }
  if (canRest(c.tif)) {
    rows.push([button(ctx.tp(c.postOnly ? 'order.post_only_on_button' : 'order.post_only_off_button'),
      cb.orderPostOnly.encode({ on: c.postOnly ? 'no' : 'yes' }))]);
  }
  return rows;
}
