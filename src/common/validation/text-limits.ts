import { AppError, ErrorDetail } from '../errors/app-error';

/**
 * The input limits every classification entry point enforces (the DTOs check shapes; these check the
 * configured sizes), in one place so /sentiment, /batch-sentiment and /async-sentiment answer alike.
 */

/** Throws VALIDATION_FAILED when `texts` holds more than `max` texts; `setting` names the variable that sets it. */
export function assertTextCount(texts: readonly string[], max: number, setting: string): void {
  if (texts.length > max) {
    throw new AppError('VALIDATION_FAILED', `texts must contain at most ${max} texts but received ${texts.length}`, [
      { field: 'texts', message: `at most ${max} texts (${setting})` },
    ]);
  }
}

/**
 * Throws VALIDATION_FAILED listing every text longer than `maxTextChars` Unicode characters. `field` is how the
 * request names the texts: `text` for a single one, `texts` for a list (each then named `texts[i]`).
 */
export function assertTextLengths(field: 'text' | 'texts', texts: readonly string[], maxTextChars: number): void {
  const details: ErrorDetail[] = [];
  texts.forEach((text, i) => {
    // A string has at least as many UTF-16 units as characters, so only long strings need counting.
    const chars = text.length > maxTextChars ? countCodePoints(text) : text.length;
    if (chars > maxTextChars) {
      const name = field === 'text' ? 'text' : `texts[${i}]`;
      details.push({ field: name, message: `${name} is ${chars} characters long; the limit is ${maxTextChars}` });
    }
  });
  if (details.length === 1) throw new AppError('VALIDATION_FAILED', details[0].message, details);
  if (details.length > 1) {
    throw new AppError('VALIDATION_FAILED', `${details.length} texts are longer than the limit of ${maxTextChars} characters`, details);
  }
}

/** Unicode characters (code points), as a user or Python's len() counts them. */
export function countCodePoints(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    // A high surrogate followed by a low one is one character.
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    count++;
  }
  return count;
}
