/** Text rules shared by both ends: what a name may contain, and how long text is cut. */

// What a name may not contain, so that it reads as what it is:
// - \p{Cc}: C0/C1 controls (NUL, escape sequences, line breaks other than spaces);
// - \p{Cf}: every invisible format character — bidi embeddings, overrides and isolates
//   (U+202A..U+202E, U+2066..U+2069: "abc\u202Egnp.exe" would render as "abcexe.png"), marks
//   (U+200E/F, U+061C), zero-width space/joiners (U+200B..U+200D, U+2060), the BOM, soft hyphens
//   and Unicode tag characters (U+E0000..). Emoji sequences that use U+200D fall apart into
//   their parts; that is the price of a name without hidden characters;
// - \p{Cs}: lone surrogates (a JSON string can carry one; UTF-8 cannot encode it).
// Line and paragraph separators (U+2028/9) are whitespace and collapse to a space.
const UNSAFE_CHARS = /[\p{Cc}\p{Cf}\p{Cs}]/gu;

/** Strips control and format characters, collapses whitespace, trims, and cuts to `max` code
 *  units without splitting a surrogate pair. */
export function sanitizeName(text: string, max: number): string {
  let clean = text.replace(UNSAFE_CHARS, "").replace(/\s+/gu, " ").trim();
  if (clean.length > max) {
    clean = clean.slice(0, max);
    const last = clean.charCodeAt(clean.length - 1);
    if (last >= 0xd800 && last <= 0xdbff) clean = clean.slice(0, -1);
    clean = clean.trim();
  }
  return clean;
}

const utf8Encoder = new TextEncoder();

/** `text` cut (by whole UTF-16 units from the end) until its UTF-8 form fits in `maxBytes`. */
export function truncateUtf8(text: string, maxBytes: number): string {
  let out = text;
  while (utf8Encoder.encode(out).length > maxBytes) out = out.slice(0, -1);
  return out;
}
