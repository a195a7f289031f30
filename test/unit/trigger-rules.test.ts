import fc from 'fast-check';
import { checkTriggerLevel, ownPriceAt, sellShares, triggerReached, worstPriceOf, yesTerms } from '../../domain/alerts/trigger-rules';

describe('stop-loss / take-profit rules', () => {
  test('YES position: stop at 40 fires at YES ≤ 40, take at 70 at YES ≥ 70', () => {
    expect(yesTerms('YES', 'stop', 40)).toEqual({ direction: 'below', yesLevel: 40 });
    expect(yesTerms('YES', 'take', 70)).toEqual({ direction: 'above', yesLevel: 70 });
    const stop = yesTerms('YES', 'stop', 40);
    expect([41, 40, 39, 5].map((p) => triggerReached(stop, p))).toEqual([false, true, true, true]);
  });

  test('NO position: levels are NO prices (100 − YES); a NO stop at 40 fires when YES ≥ 60', () => {
    expect(yesTerms('NO', 'stop', 40)).toEqual({ direction: 'above', yesLevel: 60 });
    expect(yesTerms('NO', 'take', 70)).toEqual({ direction: 'below', yesLevel: 30 });
    const stop = yesTerms('NO', 'stop', 40);
    expect([59, 60, 95].map((p) => triggerReached(stop, p))).toEqual([false, true, true]);
    expect(ownPriceAt('NO', 60)).toBe(40);
  });

  test('levels must be on the right side of the own price now, within 1..99', () => {
    expect(checkTriggerLevel('stop', 40, 50)).toBeNull();
    expect(checkTriggerLevel('stop', 50, 50)).toBe('trigger_level_invalid');
    expect(checkTriggerLevel('stop', 0, 50)).toBe('trigger_level_invalid');
    expect(checkTriggerLevel('take', 51, 50)).toBeNull();
    expect(checkTriggerLevel('take', 50, 50)).toBe('trigger_level_invalid');
    expect(checkTriggerLevel('take', 100, 50)).toBe('trigger_level_invalid');
    expect(checkTriggerLevel('take', 60.5, 50)).toBe('trigger_level_invalid');
  });

  test('worst price: level − 10, at least 1', () => {
    expect(worstPriceOf(40)).toBe(30);
    expect(worstPriceOf(5)).toBe(1);
  });

  test('shares sold are clamped to the free shares; nothing free → 0 (the trigger is cancelled)', () => {
    expect(sellShares(null, 120)).toBe(120);
    expect(sellShares(50, 120)).toBe(50);
    expect(sellShares(200, 120)).toBe(120);
    expect(sellShares(50, 0)).toBe(0);
  });

  test('property: a trigger is reached exactly when the own price is at or past the level, for both sides', () => {
    fc.assert(fc.property(fc.constantFrom('YES' as const, 'NO' as const), fc.constantFrom('stop' as const, 'take' as const),
      fc.integer({ min: 1, max: 99 }), fc.integer({ min: 1, max: 99 }), (side, kind, level, yes) => {
        const own = ownPriceAt(side, yes);
        const expected = kind === 'stop' ? own <= level : own >= level;
        expect(triggerReached(yesTerms(side, kind, level), yes)).toBe(expected);
      }));
  });
});
