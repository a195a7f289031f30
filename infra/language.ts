/** The languages of the product's texts: Russian default, English second (locales/ru.json, en.json). */
export type Language = 'ru' | 'en';
