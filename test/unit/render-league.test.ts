import sharp from 'sharp';
import { LEAGUE_CARD_HEIGHT, LEAGUE_CARD_WIDTH, renderLeagueCard } from '../../render';

test('issue 12: the league share card is a PNG of its size, with Cyrillic, for every tone and an overlong title', async () => {
  for (const statusTone of ['yes', 'no', 'neutral'] as const) {
    const png = await renderLeagueCard({
      title: `Лига · сезон 2026-12 ${'очень длинное название '.repeat(8)}`, divisionText: 'Бронза → Серебро', placeText: '1 / 31',
      scoreText: 'Результат: +49,95 ₽', statusText: 'повышение', statusTone,
    });
    expect(await sharp(png).metadata()).toMatchObject({ format: 'png', width: LEAGUE_CARD_WIDTH, height: LEAGUE_CARD_HEIGHT });
  }
});
