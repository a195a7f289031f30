import { parseMarketArgs, parseOutcome } from '../../bot/features/resolution';

describe('resolution command arguments', () => {
  it('reads a market id and the rest of the text', () => {
    expect(parseMarketArgs('12')).toEqual({ marketId: 12, rest: '' });
    expect(parseMarketArgs(' #12  yes  https://x.example/a b ')).toEqual({ marketId: 12, rest: 'yes  https://x.example/a b' });
    expect(parseMarketArgs('')).toBeNull();
    expect(parseMarketArgs('twelve yes')).toBeNull();
  });

  it('reads yes / no / void in any case and a probability 0..100 with or without %', () => {
    expect(parseOutcome('YES')).toEqual({ outcome: 'YES' });
    expect(parseOutcome('no')).toEqual({ outcome: 'NO' });
    expect(parseOutcome('Void')).toEqual({ outcome: 'VOID' });
    expect(parseOutcome('0')).toEqual({ outcome: 'PROB', probability: 0 });
    expect(parseOutcome('37%')).toEqual({ outcome: 'PROB', probability: 37 });
    expect(parseOutcome('100')).toEqual({ outcome: 'PROB', probability: 100 });
  });

  it('tells a probability out of range from text that is no outcome at all', () => {
    expect(parseOutcome('101')).toBe('out_of_range');
    expect(parseOutcome('-5')).toBe('out_of_range');
    expect(parseOutcome('37.5')).toBeNull();
    expect(parseOutcome('maybe')).toBeNull();
  });
});
