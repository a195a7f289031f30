import fc from 'fast-check';
import { initialArmed, isBack, isPast, levelAlert, presetAlerts, stepAlert, type AlertState } from '../../domain/alerts/alert-rules';

/** Runs the machine over a price path; returns the indexes of the prices that fired. */
function run(a: AlertState, path: readonly number[], ref: number | null = null): number[] {
  const fired: number[] = [];
  let s = a;
  path.forEach((p, i) => {
    const next = stepAlert(s, p, ref);
    if (next.fired) fired.push(i);
    s = { ...s, armed: next.armed };
  });
  return fired;
}

describe('alert state machine', () => {
  test('above 50: fires once at 50, not again while the price hovers at 50..51, re-arms only at 49', () => {
    const a: AlertState = { kind: 'above', level: 50, armed: true };
    expect(run(a, [48, 49, 50, 51, 50, 51, 50])).toEqual([2]);
    // Back to 49 (one point past the level) re-arms; the next 50 fires again.
    expect(run(a, [49, 50, 49, 50])).toEqual([1, 3]);
    // 50 → 50 is not a new crossing.
    expect(run(a, [50, 50, 50])).toEqual([0]);
  });

  test('below 30: fires at 30 and re-arms at 31', () => {
    const a: AlertState = { kind: 'below', level: 30, armed: true };
    expect(run(a, [35, 31, 30, 30, 29, 30, 31, 30])).toEqual([2, 7]);
  });

  test('gap moves past the level fire (40 → 60 past above 50; 70 → 20 past below 30)', () => {
    expect(run({ kind: 'above', level: 50, armed: true }, [40, 60])).toEqual([1]);
    expect(run({ kind: 'below', level: 30, armed: true }, [70, 20])).toEqual([1]);
    // A gap back over the level re-arms and the next gap fires again.
    expect(run({ kind: 'above', level: 50, armed: true }, [60, 10, 90])).toEqual([0, 2]);
  });

  test('move 10 within 24 h: fires at 10 points from the reference, re-arms within 9', () => {
    const a: AlertState = { kind: 'move', level: 10, armed: true };
    expect(run(a, [45, 49, 50, 55, 51, 50], 40)).toEqual([2]);
    expect(run(a, [30, 31, 30], 40)).toEqual([0, 2]);
    expect(run(a, [90], null)).toEqual([]);
  });

  test('a disarmed alert never fires in the step that re-arms it', () => {
    expect(stepAlert({ kind: 'above', level: 50, armed: false }, 49, null)).toEqual({ armed: true, fired: false });
    expect(stepAlert({ kind: 'above', level: 50, armed: false }, 50, null)).toEqual({ armed: false, fired: false });
  });

  test('boundaries: level 1 and 99', () => {
    expect(isPast({ kind: 'above', level: 99 }, 99, null)).toBe(true);
    expect(isPast({ kind: 'below', level: 1 }, 1, null)).toBe(true);
    expect(isBack({ kind: 'below', level: 1 }, 2, null)).toBe(true);
    expect(initialArmed({ kind: 'above', level: 60 }, 60, null)).toBe(false);
    expect(initialArmed({ kind: 'above', level: 60 }, 59, null)).toBe(true);
  });

  test('typed levels and presets', () => {
    expect(levelAlert(60, 50)).toEqual({ kind: 'above', level: 60 });
    expect(levelAlert(40, 50)).toEqual({ kind: 'below', level: 40 });
    expect(levelAlert(50, 50)).toBeNull();
    expect(levelAlert(0, 50)).toBeNull();
    expect(levelAlert(100, 50)).toBeNull();
    expect(levelAlert(55.5, 50)).toBeNull();
    expect(presetAlerts(50)).toEqual([
      { kind: 'above', level: 55 }, { kind: 'below', level: 45 }, { kind: 'above', level: 60 }, { kind: 'below', level: 40 },
      { kind: 'move', level: 5 }, { kind: 'move', level: 10 },
    ]);
    // Near the edges only the levels inside 1..99 are offered.
    expect(presetAlerts(96).filter((p) => p.kind !== 'move')).toEqual([{ kind: 'below', level: 91 }, { kind: 'below', level: 86 }]);
  });
});

describe('alert state machine: properties', () => {
  const price = fc.integer({ min: 1, max: 99 });
  const kind = fc.constantFrom('above' as const, 'below' as const);

  test('fires exactly once per crossing: the firings equal the entries into the firing zone after being back by a point', () => {
    fc.assert(fc.property(kind, fc.integer({ min: 2, max: 98 }), price, fc.array(price, { maxLength: 60 }), (k, level, start, path) => {
      const a: AlertState = { kind: k, level, armed: initialArmed({ kind: k, level }, start, null) };
      const fired = run(a, path);
      // Reference model: count entries into the zone, where re-entry requires a visit to the "back" zone.
      let armed = a.armed;
      const expected: number[] = [];
      path.forEach((p, i) => {
        const past = k === 'above' ? p >= level : p <= level;
        const back = k === 'above' ? p <= level - 1 : p >= level + 1;
        if (armed && past) { expected.push(i); armed = false; } else if (!armed && back) armed = true;
      });
      expect(fired).toEqual(expected);
    }));
  });

  test('never fires twice without the price going back past the level by a point in between', () => {
    fc.assert(fc.property(kind, fc.integer({ min: 2, max: 98 }), fc.array(price, { maxLength: 60 }), (k, level, path) => {
      const fired = run({ kind: k, level, armed: true }, path);
      for (let j = 1; j < fired.length; j++) {
        const between = path.slice(fired[j - 1]! + 1, fired[j]);
        expect(between.some((p) => (k === 'above' ? p <= level - 1 : p >= level + 1))).toBe(true);
      }
    }));
  });

  test('a gap from one side of the level to the other fires an armed alert, whatever the size', () => {
    fc.assert(fc.property(fc.integer({ min: 2, max: 98 }), price, price, (level, a, b) => {
      fc.pre(a < level && b >= level);
      expect(stepAlert({ kind: 'above', level, armed: true }, b, null).fired).toBe(true);
      expect(stepAlert({ kind: 'below', level: 100 - level, armed: true }, 100 - b, null).fired).toBe(true);
    }));
  });
});
