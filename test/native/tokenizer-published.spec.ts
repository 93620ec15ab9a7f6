/**
 * The native tokenizer reproduces token ids published by Hugging Face (produced with Python `transformers`):
 * - bert-base-uncased on all 10,570 SQuAD v1.1 dev questions (swift-transformers' test resources):
 *   tokenized_questions.json[i] are the ids WITHOUT special tokens of question_tokens.json[i].original, and
 *   question_tokens.json[i].wordpiece the matching WordPiece tokens;
 * - bert-base-uncased on bert_uncased_encoded.json (a long French paragraph): token_ids WITH [CLS]/[SEP] and
 *   bpe_tokens, the tokens between them;
 * - BAAI/bge-small-en-v1.5 on the 30 multilingual stress inputs: input_ids and tokens WITH special tokens.
 */
import { Tokenizer } from '../../lib';
import type { Encoding } from '../../lib';
import { multilingualInputs, realdata, realdataJson } from './realdata';

interface QuestionTokens {
  original: string;
  basic: string[];
  wordpiece: string[];
}

/** Returns '' when every row equals, else the count and the first few mismatches. */
function report(
  what: string,
  texts: string[],
  actual: Array<number[] | string[]>,
  expected: Array<number[] | string[]>,
  maxShown = 3,
): string {
  const lines: string[] = [];
  let count = 0;
  for (let i = 0; i < texts.length; i++) {
    if (JSON.stringify(actual[i]) !== JSON.stringify(expected[i])) {
      count++;
      if (count <= maxShown) {
        lines.push(
          `#${i} ${JSON.stringify(texts[i])}\n  expected ${JSON.stringify(expected[i])}\n  received ${JSON.stringify(actual[i])}`,
        );
      }
    }
  }
  return count === 0 ? '' : `${what}: ${count} of ${texts.length} differ; first ${Math.min(count, maxShown)}:\n${lines.join('\n')}`;
}

const ids = (e: Encoding) => Array.from(e.ids);

describe('bert-base-uncased: published ids of the 10,570 SQuAD questions', () => {
  let tok: Tokenizer;
  let questions: QuestionTokens[];
  let publishedIds: number[][];
  let encodings: Encoding[];

  beforeAll(async () => {
    questions = realdataJson<QuestionTokens[]>('expected', 'bert-base-uncased', 'question_tokens.json');
    publishedIds = realdataJson<number[][]>('expected', 'bert-base-uncased', 'tokenized_questions.json');
    tok = await Tokenizer.fromFile(realdata('tokenizers', 'bert-base-uncased', 'tokenizer.json'));
    encodings = await tok.encodeBatch(
      questions.map((q) => q.original),
      { addSpecialTokens: false },
    );
  });

  test('the published files hold 10,570 aligned questions', () => {
    expect(questions).toHaveLength(10570);
    expect(publishedIds).toHaveLength(10570);
    for (let i = 0; i < questions.length; i++) expect(publishedIds[i]).toHaveLength(questions[i].wordpiece.length);
  });

  test('encodeBatch returns one encoding per question', () => {
    expect(encodings).toHaveLength(10570);
  });

  test('ids without special tokens equal tokenized_questions.json for every question', () => {
    const texts = questions.map((q) => q.original);
    expect(report('SQuAD ids', texts, encodings.map(ids), publishedIds)).toBe('');
  });

  test('tokens equal the published WordPiece tokens for every question', () => {
    const texts = questions.map((q) => q.original);
    expect(report('SQuAD tokens', texts, encodings.map((e) => Array.from(e.tokens)), questions.map((q) => q.wordpiece))).toBe('');
  });

  test('with special tokens, ids are [CLS] + published + [SEP] and masks/type ids are consistent', async () => {
    const texts = questions.map((q) => q.original);
    const withSpecial = await tok.encodeBatch(texts, { addSpecialTokens: true });
    expect(report('SQuAD ids with special tokens', texts, withSpecial.map(ids), publishedIds.map((x) => [101, ...x, 102]))).toBe('');
    const masks = withSpecial.map((e) => Array.from(e.specialTokensMask));
    expect(report('special tokens mask', texts, masks, publishedIds.map((x) => [1, ...x.map(() => 0), 1]))).toBe('');
    const attention = withSpecial.map((e) => Array.from(e.attentionMask));
    expect(report('attention mask', texts, attention, publishedIds.map((x) => [1, ...x.map(() => 1), 1]))).toBe('');
    const types = withSpecial.map((e) => Array.from(e.typeIds));
    expect(report('type ids', texts, types, publishedIds.map((x) => [0, ...x.map(() => 0), 0]))).toBe('');
  });

  test('encode (one call per question) agrees with the published ids on a sample of 500', async () => {
    const sample = questions.map((q, i) => ({ q, i })).filter(({ i }) => i % 21 === 0).slice(0, 500);
    const encs = await Promise.all(sample.map(({ q }) => tok.encode(q.original, null, { addSpecialTokens: false })));
    expect(
      report(
        'SQuAD ids via encode',
        sample.map(({ q }) => q.original),
        encs.map(ids),
        sample.map(({ i }) => publishedIds[i]),
      ),
    ).toBe('');
  });
});

describe('bert-base-uncased: bert_uncased_encoded.json (long French paragraph)', () => {
  test('ids with special tokens equal token_ids and tokens equal [CLS] + bpe_tokens + [SEP]', async () => {
    const published = realdataJson<{ text: string; bpe_tokens: string[]; token_ids: number[] }>(
      'expected',
      'bert-base-uncased',
      'bert_uncased_encoded.json',
    );
    const tok = await Tokenizer.fromFile(realdata('tokenizers', 'bert-base-uncased', 'tokenizer.json'));
    const [viaBatch] = await tok.encodeBatch([published.text], { addSpecialTokens: true });
    const viaEncode = await tok.encode(published.text, null, { addSpecialTokens: true });
    for (const e of [viaBatch, viaEncode]) {
      expect(report('token_ids', [published.text], [ids(e)], [published.token_ids])).toBe('');
      expect(
        report('tokens', [published.text], [Array.from(e.tokens)], [['[CLS]', ...published.bpe_tokens, '[SEP]']]),
      ).toBe('');
    }
  });
});

describe('BAAI/bge-small-en-v1.5: published ids of the multilingual stress inputs', () => {
  test('ids and tokens with special tokens equal the baseline for all 30 inputs', async () => {
    const inputs = multilingualInputs();
    const baseline = realdataJson<{ entries: Record<string, { input_ids: number[]; tokens: string[] }> }>(
      'expected',
      'multilingual',
      'BAAI__bge-small-en-v1.5.json',
    ).entries;
    expect(inputs).toHaveLength(30);
    for (const i of inputs) expect(baseline[i.id]).toBeDefined();
    const tok = await Tokenizer.fromFile(realdata('tokenizers', 'bge-small-en', 'tokenizer.json'));
    const texts = inputs.map((i) => i.text);
    const encs = await tok.encodeBatch(texts, { addSpecialTokens: true });
    expect(report('bge ids', texts, encs.map(ids), inputs.map((i) => baseline[i.id].input_ids))).toBe('');
    expect(report('bge tokens', texts, encs.map((e) => Array.from(e.tokens)), inputs.map((i) => baseline[i.id].tokens))).toBe('');
    const single = await Promise.all(texts.map((t) => tok.encode(t)));
    expect(report('bge ids via encode', texts, single.map(ids), inputs.map((i) => baseline[i.id].input_ids))).toBe('');
  });
});

describe('tinybert: published tokens and ids', () => {
  test('the sentence of expected_output.json encodes to the published tokens and ids', async () => {
    const published = realdataJson<{ text: string; tokens: string[]; input_ids: number[] }>(
      'models',
      'tinybert',
      'expected_output.json',
    );
    const tok = await Tokenizer.fromFile(realdata('models', 'tinybert', 'tokenizer.json'));
    const e = await tok.encode(published.text);
    expect(Array.from(e.tokens)).toEqual(published.tokens);
    expect(ids(e)).toEqual(published.input_ids);
  });
});
