/**
 * Every error path of the native engine and tokenizer yields an EngineError with its stable `code` and a message
 * that names the problem. Broken model directories are assembled in os.tmpdir() temp dirs (removed afterwards)
 * from the files of real models; the realdata and project files themselves are only read.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Engine, ERROR_CODES, Tokenizer } from '../../lib';
import type { ErrorCode } from '../../lib';
import { DEMO_MODEL_REL } from './demo-fixture';
import { errorKind, isError, PROJECT_ROOT, projectFile, realdata } from './realdata';

const tempDirs: string[] = [];

function tempDir(tag: string): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), `engine-errors-${tag}-`));
  tempDirs.push(d);
  return d;
}

afterAll(() => {
  for (const d of tempDirs) fs.rmSync(d, { recursive: true, force: true });
});

/** A complete model directory (a real optimum export) copied to a temp dir, minus/plus the given changes. */
function modelDirFrom(
  sourceDir: string,
  tag: string,
  files: Partial<Record<'model.onnx' | 'tokenizer.json' | 'config.json', string | Buffer | null>> = {},
): string {
  const d = tempDir(tag);
  for (const f of ['model.onnx', 'tokenizer.json', 'config.json'] as const) {
    const override = files[f];
    if (override === null) continue; // leave the file out
    if (override !== undefined) fs.writeFileSync(path.join(d, f), override);
    else fs.copyFileSync(path.join(sourceDir, f), path.join(d, f));
  }
  return d;
}

const tinyDistilbert = () => realdata('models', 'tiny-distilbert-sst2');

/** Awaits a call that must fail (synchronously or by rejection) and returns the error. */
async function failure(fn: () => unknown): Promise<Error & { code?: unknown }> {
  let result: unknown;
  try {
    result = fn();
  } catch (e) {
    return e as Error & { code?: unknown };
  }
  try {
    await result;
  } catch (e) {
    return e as Error & { code?: unknown };
  }
  throw new Error(`expected the call to fail, but it succeeded with ${describe_(result)}`);
}

function describe_(v: unknown): string {
  try {
    return JSON.stringify(v)?.slice(0, 200) ?? String(v);
  } catch {
    return String(v);
  }
}

async function expectCode(fn: () => unknown, code: ErrorCode, message: RegExp): Promise<Error> {
  const e = await failure(fn);
  if (!isError(e)) throw new Error(`expected an Error but the call failed with ${describe_(e)}`);
  if (e.code !== code || !message.test(e.message)) {
    throw new Error(
      `expected an error with code ${code} and a message matching ${message}, but received code ${String(e.code)}: ${JSON.stringify(e.message)}`,
    );
  }
  return e;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A wrong JS argument: thrown synchronously or rejected, a TypeError or RangeError with code INVALID_ARGUMENT and a
 * message of the form "Expected <what> for <param> but received <what it got>".
 */
async function expectInvalidArgument(fn: () => unknown, param: string, label: string): Promise<void> {
  const e = await failure(fn);
  const form = new RegExp(`Expected .+ for \\S*${escapeRe(param)}\\S* but received \\S+`);
  const problems: string[] = [];
  if (!isError(e) || !['TypeError', 'RangeError'].includes(errorKind(e))) problems.push(`not a TypeError/RangeError (${errorKind(e)})`);
  if (e.code !== 'INVALID_ARGUMENT') problems.push(`code ${String(e.code)}`);
  if (!form.test(String(e.message))) problems.push(`message does not match ${form}`);
  if (problems.length) {
    throw new Error(`${label}: expected INVALID_ARGUMENT naming ${param}; got ${problems.join(', ')}: ${JSON.stringify(e.message)}`);
  }
}

describe('ERROR_CODES', () => {
  test('lists every code of the contract, in the native enum order', () => {
    expect(ERROR_CODES).toEqual([
      'INVALID_ARGUMENT',
      'MODEL_NOT_FOUND',
      'FILE_MISSING',
      'MODEL_INVALID',
      'TOKENIZER_INVALID',
      'TOKENIZER_UNSUPPORTED',
      'CONFIG_INVALID',
      'INFERENCE_FAILED',
      'ENGINE_CLOSED',
      'OVERLOADED',
      'TIMEOUT',
      'CANCELLED',
      'DEVICE_UNAVAILABLE',
      'INTERNAL',
    ]);
  });
});

describe('Engine.load: model directory errors', () => {
  test('a directory that does not exist: MODEL_NOT_FOUND naming the path', async () => {
    const missing = path.join(os.tmpdir(), `engine-errors-no-such-dir-${process.pid}-${Date.now()}`);
    await expectCode(() => Engine.load(missing), 'MODEL_NOT_FOUND', new RegExp(escapeRe(missing)));
  });

  test('a path that is a file: MODEL_NOT_FOUND naming the path', async () => {
    const d = tempDir('file');
    const file = path.join(d, 'not-a-directory.onnx');
    fs.writeFileSync(file, 'x');
    await expectCode(() => Engine.load(file), 'MODEL_NOT_FOUND', new RegExp(escapeRe(file)));
  });

  test('garbage model.onnx beside the demo model tokenizer.json and config.json: MODEL_INVALID', async () => {
    // only the demo model's tokenizer.json and config.json are needed here
    projectFile(`${DEMO_MODEL_REL}/tokenizer.json`, "the demo model's tokenizer.json");
    projectFile(`${DEMO_MODEL_REL}/config.json`, "the demo model's config.json");
    const demo = path.join(PROJECT_ROOT, DEMO_MODEL_REL);
    const d = modelDirFrom(demo, 'corrupt-demo', { 'model.onnx': Buffer.from('this is not an ONNX protobuf\n'.repeat(50)) });
    await expectCode(() => Engine.load(d), 'MODEL_INVALID', /model\.onnx/);
  });

  test('an empty model.onnx: MODEL_INVALID', async () => {
    const d = modelDirFrom(tinyDistilbert(), 'empty-onnx', { 'model.onnx': Buffer.alloc(0) });
    await expectCode(() => Engine.load(d), 'MODEL_INVALID', /model\.onnx/);
  });

  test('a truncated model.onnx: MODEL_INVALID', async () => {
    const bytes = fs.readFileSync(path.join(tinyDistilbert(), 'model.onnx'));
    const d = modelDirFrom(tinyDistilbert(), 'truncated-onnx', { 'model.onnx': bytes.subarray(0, bytes.length >> 1) });
    await expectCode(() => Engine.load(d), 'MODEL_INVALID', /model\.onnx/);
  });

  for (const file of ['model.onnx', 'tokenizer.json'] as const) {
    test(`missing ${file}: FILE_MISSING naming ${file}`, async () => {
      const d = modelDirFrom(tinyDistilbert(), `missing-${file}`, { [file]: null });
      await expectCode(() => Engine.load(d), 'FILE_MISSING', new RegExp(escapeRe(file)));
    });
  }

  // config.json is optional by design: bare encoders (tinybert in realdata) ship without one. The model then
  // loads without labels and classify() names the classes LABEL_<i>.
  test('missing config.json: loads, with no labels, and classify() names classes LABEL_<i>', async () => {
    const d = modelDirFrom(tinyDistilbert(), 'missing-config.json', { 'config.json': null });
    const engine = await Engine.load(d);
    try {
      expect(engine.info().labels).toEqual([]);
      const [result] = await engine.classify(['a text']);
      expect(Object.keys(result.scores)).toEqual(['LABEL_0', 'LABEL_1']);
      expect(['LABEL_0', 'LABEL_1']).toContain(result.label);
    } finally {
      await engine.close();
    }
  });

  test('the complete copy used by these tests loads (so each failure above is due to its one defect)', async () => {
    const d = modelDirFrom(tinyDistilbert(), 'complete');
    const engine = await Engine.load(d);
    await engine.close();
  });
});

describe('tokenizer.json errors (through Engine.load and Tokenizer.fromFile)', () => {
  let tokenizerJson: Record<string, any>;
  beforeAll(() => {
    tokenizerJson = JSON.parse(fs.readFileSync(path.join(tinyDistilbert(), 'tokenizer.json'), 'utf8'));
  });
  const mutate = (f: (t: Record<string, any>) => void): string => {
    const t = JSON.parse(JSON.stringify(tokenizerJson));
    f(t);
    return JSON.stringify(t);
  };

  async function bothFail(tag: string, content: string, code: ErrorCode, message: RegExp): Promise<void> {
    const d = modelDirFrom(tinyDistilbert(), tag, { 'tokenizer.json': content });
    await expectCode(() => Engine.load(d), code, message);
    await expectCode(() => Tokenizer.fromFile(path.join(d, 'tokenizer.json')), code, message);
  }

  test('not JSON: TOKENIZER_INVALID', async () => {
    await bothFail('tok-not-json', '{"version": "1.0", "model": {', 'TOKENIZER_INVALID', /tokenizer/i);
  });

  test('JSON but not an object: TOKENIZER_INVALID', async () => {
    await bothFail('tok-array', '[1, 2, 3]', 'TOKENIZER_INVALID', /tokenizer/i);
  });

  test('no model section: TOKENIZER_INVALID naming the field', async () => {
    await bothFail('tok-no-model', mutate((t) => delete t.model), 'TOKENIZER_INVALID', /model/);
  });

  test('WordPiece model without vocab: TOKENIZER_INVALID naming the field', async () => {
    await bothFail('tok-no-vocab', mutate((t) => delete t.model.vocab), 'TOKENIZER_INVALID', /vocab/);
  });

  test('an unknown model type: TOKENIZER_UNSUPPORTED naming it', async () => {
    await bothFail(
      'tok-model-type',
      mutate((t) => (t.model.type = 'FancyPieceModel')),
      'TOKENIZER_UNSUPPORTED',
      /FancyPieceModel/,
    );
  });

  test('an unknown normalizer type: TOKENIZER_UNSUPPORTED naming it', async () => {
    await bothFail(
      'tok-normalizer',
      mutate((t) => (t.normalizer = { type: 'MysteryNormalizer' })),
      'TOKENIZER_UNSUPPORTED',
      /MysteryNormalizer/,
    );
  });

  test('an unknown pre-tokenizer type: TOKENIZER_UNSUPPORTED naming it', async () => {
    await bothFail(
      'tok-pretok',
      mutate((t) => (t.pre_tokenizer = { type: 'MysteryPreTokenizer' })),
      'TOKENIZER_UNSUPPORTED',
      /MysteryPreTokenizer/,
    );
  });

  test('an unknown post-processor type: TOKENIZER_UNSUPPORTED naming it', async () => {
    await bothFail(
      'tok-post',
      mutate((t) => (t.post_processor = { type: 'MysteryProcessor' })),
      'TOKENIZER_UNSUPPORTED',
      /MysteryProcessor/,
    );
  });

  test('Tokenizer.fromFile on a missing file: FILE_MISSING naming the path', async () => {
    const p = path.join(tempDir('tok-missing'), 'tokenizer.json');
    await expectCode(() => Tokenizer.fromFile(p), 'FILE_MISSING', new RegExp(escapeRe(p)));
  });
});

describe('config.json errors', () => {
  let config: Record<string, any>;
  beforeAll(() => {
    config = JSON.parse(fs.readFileSync(path.join(tinyDistilbert(), 'config.json'), 'utf8'));
  });

  test('not JSON: CONFIG_INVALID naming config.json', async () => {
    const d = modelDirFrom(tinyDistilbert(), 'cfg-not-json', { 'config.json': '{"id2label": {"0": "NEGATIVE",' });
    await expectCode(() => Engine.load(d), 'CONFIG_INVALID', /config\.json/);
  });

  test('JSON but not an object: CONFIG_INVALID', async () => {
    const d = modelDirFrom(tinyDistilbert(), 'cfg-array', { 'config.json': '["NEGATIVE", "POSITIVE"]' });
    await expectCode(() => Engine.load(d), 'CONFIG_INVALID', /config/);
  });

  test('id2label of the wrong shape: CONFIG_INVALID naming id2label', async () => {
    for (const [tag, id2label] of [
      ['string', 'NEGATIVE,POSITIVE'],
      ['numbers', { '0': 1, '1': 2 }],
      ['bad-keys', { zero: 'NEGATIVE', one: 'POSITIVE' }],
    ] as const) {
      const d = modelDirFrom(tinyDistilbert(), `cfg-id2label-${tag}`, { 'config.json': JSON.stringify({ ...config, id2label }) });
      await expectCode(() => Engine.load(d), 'CONFIG_INVALID', /id2label/);
    }
  });
});

describe('wrong argument types: INVALID_ARGUMENT, TypeError/RangeError "Expected ... for <param> but received ..."', () => {
  let engine: Engine;
  let tok: Tokenizer;
  beforeAll(async () => {
    engine = await Engine.load(tinyDistilbert());
    tok = await Tokenizer.fromFile(path.join(tinyDistilbert(), 'tokenizer.json'));
  });
  afterAll(async () => {
    if (engine) await engine.close();
  });

  // Casts: these calls deliberately break the declared types.
  const E = Engine as any;
  const T = Tokenizer as any;

  test('Engine.load(modelDir)', async () => {
    for (const bad of [undefined, null, 42, {}, ['dir'], true]) {
      await expectInvalidArgument(() => E.load(bad), 'modelDir', `Engine.load(${describe_(bad)})`);
    }
  });

  test('Engine.load(dir, options)', async () => {
    const dir = tinyDistilbert();
    await expectInvalidArgument(() => E.load(dir, 'fast'), 'options', 'Engine.load(dir, "fast")');
    await expectInvalidArgument(() => E.load(dir, 42), 'options', 'Engine.load(dir, 42)');
    for (const key of ['maxLength', 'intraOpThreads', 'interOpThreads']) {
      await expectInvalidArgument(() => E.load(dir, { [key]: 'many' }), key, `Engine.load(dir, {${key}: "many"})`);
      await expectInvalidArgument(() => E.load(dir, { [key]: -1 }), key, `Engine.load(dir, {${key}: -1})`);
      await expectInvalidArgument(() => E.load(dir, { [key]: 2.5 }), key, `Engine.load(dir, {${key}: 2.5})`);
    }
    const range = await failure(() => E.load(dir, { maxLength: -1 }));
    expect(errorKind(range)).toBe('RangeError');
  });

  for (const method of ['classify', 'run'] as const) {
    test(`engine.${method}(texts)`, async () => {
      const call = (arg: unknown) => (engine as any)[method](arg);
      for (const bad of [undefined, null, 'one text', 42, {}, [1, 2], ['ok', 3], [null], ['ok', undefined], [['a', 'b']]]) {
        await expectInvalidArgument(() => call(bad), 'texts', `engine.${method}(${describe_(bad)})`);
      }
    });
  }

  test('Tokenizer.fromFile(path)', async () => {
    for (const bad of [undefined, null, 42, {}, ['tokenizer.json']]) {
      await expectInvalidArgument(() => T.fromFile(bad), 'path', `Tokenizer.fromFile(${describe_(bad)})`);
    }
  });

  test('tokenizer.encode(text, pair, options)', async () => {
    const t = tok as any;
    for (const bad of [undefined, null, 42, {}, ['a', 'b']]) {
      await expectInvalidArgument(() => t.encode(bad), 'text', `encode(${describe_(bad)})`);
    }
    for (const bad of [42, {}, ['b']]) {
      await expectInvalidArgument(() => t.encode('a', bad), 'pair', `encode("a", ${describe_(bad)})`);
    }
    await expectInvalidArgument(() => t.encode('a', null, 'yes'), 'options', 'encode("a", null, "yes")');
    await expectInvalidArgument(
      () => t.encode('a', null, { addSpecialTokens: 'yes' }),
      'addSpecialTokens',
      'encode("a", null, {addSpecialTokens: "yes"})',
    );
  });

  test('tokenizer.encodeBatch(inputs, options)', async () => {
    const t = tok as any;
    for (const bad of [undefined, null, 'one text', 42, {}, [1], ['ok', 2], [['a']], [['a', 'b', 'c']], [['a', 2]], [null]]) {
      await expectInvalidArgument(() => t.encodeBatch(bad), 'inputs', `encodeBatch(${describe_(bad)})`);
    }
    await expectInvalidArgument(() => t.encodeBatch(['a'], 'yes'), 'options', 'encodeBatch(["a"], "yes")');
    await expectInvalidArgument(
      () => t.encodeBatch(['a'], { addSpecialTokens: 1 }),
      'addSpecialTokens',
      'encodeBatch(["a"], {addSpecialTokens: 1})',
    );
  });

  test('after the wrong calls above, the engine and tokenizer still work', async () => {
    const [c] = await engine.classify(['still working']);
    expect(['NEGATIVE', 'POSITIVE']).toContain(c.label);
    const e = await tok.encode('still working');
    expect(Array.from(e.tokens)).toEqual(['[CLS]', 'still', 'working', '[SEP]']);
  });
});

describe('JSON the parser rejects for reasons other than syntax', () => {
  test('a number out of range (found by the load fuzzer) is TOKENIZER_INVALID, not INTERNAL', async () => {
    const dir = tempDir('json-range');
    const file = path.join(dir, 'tokenizer.json');
    fs.writeFileSync(file, '{"model":1e400}');
    await expectCode(() => Tokenizer.fromFile(file), 'TOKENIZER_INVALID', /not valid JSON/);
  });
});
