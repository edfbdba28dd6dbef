// The words keyword search ignores, in one place for the code tokenizer (archival search and the local
// embedder) and for recall search's query parser. The two sets differ on purpose: code text drops words
// that describe code in prose ("given", "used", "returns one"), a question about the conversation
// drops the words that ask about the past ("what did we discuss earlier"). The code set also shapes the
// local embedder's vectors: changing it means a new LOCAL_EMBEDDER_ID and a rebuild of every index.

/** English filler that says nothing about which text is meant, in code or in conversation. */
const FUNCTION_WORDS =
  'a an and are as at be been but by can could did do does for from had has have how if in into is it its me my ' +
  'no not of on or our so that the their them then there these they this those to us was we were what when ' +
  'where which who why will with would you your about just also';

/** Words of prose about code. */
const CODE_PROSE_WORDS =
  'being else whom should shall may might must done having he she than too very only such some each every other ' +
  'own more most few both either neither here over under again further once while above below between through ' +
  'during out up down off per via etc eg ie whether one two given specified specifies used using use';

/**
 * Words with which someone asks about an earlier conversation. "use" frames a question ("which port
 * does pay-api use?") and names nothing: a statement that happens to say it ("we use `x`") must not
 * outrank one that does not (the update "pay-api moved to `y`").
 */
const QUESTION_WORDS =
  'i any all please remember remind recall said say told tell talked discuss discussed earlier use uses using happen happened happens happening ' +
  // A question about a person names them once and then says "her": the pronoun is in most turns and names no one.
  'he she her hers herself him his himself';

const words = (...lists: string[]) => new Set(lists.join(' ').split(' '));

/** Dropped from code and from archival queries (see codeTokens.ts). */
export const CODE_STOP_WORDS: ReadonlySet<string> = words(FUNCTION_WORDS, CODE_PROSE_WORDS);

/** Dropped from recall search queries, unless nothing else is left (see recallSearch.ts). */
export const QUESTION_STOP_WORDS: ReadonlySet<string> = words(FUNCTION_WORDS, QUESTION_WORDS);
