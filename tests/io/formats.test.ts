/**
 * Readers against fixtures written by tests/fixtures/gen_formats.py (Python stdlib + numpy, not our
 * writers), with numpy's values in expected.json; then our writers read back by our readers and by
 * each other, and the checks every reader makes on a bad file.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tensor } from '../../src/core/tensor';
import {
  FormatError,
  UnpicklingError,
  decodeStateDict,
  encodeStateDict,
  formatOfPath,
  readMindSporeCheckpoint,
  readSafetensors,
  readTorch,
  writeMindSporeCheckpoint,
  writeSafetensors,
  writeTorch,
  type FormatName,
  type StateDict,
} from '../../src/io/formats';

const DIR = join(__dirname, '..', 'fixtures', 'formats');
const fixture = (name: string) => readFileSync(join(DIR, name));
interface Expected {
  dtype: string;
  shape: number[];
  data: (number | string | boolean)[];
}
const EXPECTED = JSON.parse(fixture('expected.json').toString()) as {
  model: Record<string, Expected>;
  views: Record<string, Expected>;
  ckpt_names: string[];
  toplevel: Record<string, Expected>;
};

/** The tensor's flat values in expected.json's spelling (int64 as strings, bfloat16 as raw bits). */
function flat(t: Tensor): (number | string | boolean)[] {
  const out: (number | string | boolean)[] = [];
  for (let i = 0; i < t.size; i++) {
    if (t.dtype === 'int64') out.push(String((t.data as BigInt64Array)[i]));
    else if (t.dtype === 'bool') out.push(t.data[i] !== 0);
    else if (t.dtype === 'bfloat16') out.push(t.data[i] as number);
    else out.push(t.item(i));
  }
  return out;
}

function expectMatches(sd: StateDict, expected: Record<string, Expected>, names = Object.keys(expected)): void {
  expect([...sd.keys()]).toEqual(names);
  for (const [name, t] of sd) {
    const e = expected[name];
    expect({ name, dtype: t.dtype, shape: [...t.shape] }).toEqual({ name, dtype: e.dtype, shape: e.shape });
    expect(flat(t)).toEqual(e.data);
  }
}

describe('readers on fixtures from gen_formats.py', () => {
  it('safetensors: every dtype, in file order, with __metadata__', () => {
    const file = readSafetensors(fixture('model.safetensors'), 'model.safetensors');
    expect(file.metadata).toEqual({ format: 'pt' });
    expectMatches(file.tensors, EXPECTED.model);
  });

  it('torch.save zip: every dtype, including an int64 scalar (num_batches_tracked)', () => {
    const sd = readTorch(fixture('model.pt'), 'model.pt');
    expectMatches(sd, EXPECTED.model);
    expect(sd.get('enc.norm1.num_batches_tracked')!.shape).toEqual([]);
  });

  it('torch: transposed and sliced views of one shared storage are materialized in order', () => {
    expectMatches(readTorch(fixture('views.pt'), 'views.pt'), EXPECTED.views);
  });

  it("torch: a dict around the state_dict needs the entry option and the error names it", () => {
    expect(() => readTorch(fixture('nested.pt'), 'nested.pt')).toThrow(/nested\.pt: torch: .*keys: epoch, state_dict.*--entry state_dict/);
    expectMatches(readTorch(fixture('nested.pt'), 'nested.pt', { entry: 'state_dict' }), EXPECTED.model);
    expect(() => readTorch(fixture('nested.pt'), 'nested.pt', { entry: 'model' })).toThrow(/no entry 'model'/);
  });

  it('torch: a pickle naming os.system or eval is refused, naming the global, and runs nothing', () => {
    for (const [name, global] of [
      ['evil-system.pt', 'posix.system'],
      ['evil-eval.pt', '__builtin__.eval'], // protocol 2 spells builtins the Python 2 way
    ]) {
      let error: unknown;
      try {
        readTorch(fixture(name), name);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(UnpicklingError);
      expect((error as Error).name).toBe('UnpicklingError');
      expect((error as Error).message).toContain(`${name}: pickle: unsupported global: GLOBAL ${global} is not an allowed global`);
    }
  });

  it('ckpt: names, dtypes and values; a CRC trailer is checked and a sliced parameter is joined', () => {
    const expected = Object.fromEntries(EXPECTED.ckpt_names.map((n, i) => [n, Object.values(EXPECTED.model).filter((_, j) => !Object.keys(EXPECTED.model)[j].endsWith('num_batches_tracked'))[i]]));
    const plain = readMindSporeCheckpoint(fixture('model.ckpt'), 'model.ckpt');
    expect(plain.crc).toBe(false);
    expectMatches(plain.tensors, expected);
    const crc = readMindSporeCheckpoint(fixture('model-crc.ckpt'), 'model-crc.ckpt');
    expect(crc.crc).toBe(true);
    expectMatches(crc.tensors, expected);
    const broken = Uint8Array.from(fixture('model-crc.ckpt'));
    broken[100] ^= 1;
    expect(() => readMindSporeCheckpoint(broken, 'b.ckpt')).toThrow(/b\.ckpt: ckpt: the CRC check failed/);
  });

  it('ckpt: a top-level InstanceNorm names its statistics mean/variance', () => {
    expectMatches(readMindSporeCheckpoint(fixture('toplevel.ckpt'), 'toplevel.ckpt').tensors, EXPECTED.toplevel);
  });
});

describe('writers', () => {
  const source = readSafetensors(fixture('model.safetensors')).tensors;
  const formats: FormatName[] = ['safetensors', 'torch', 'mindspore', 'json'];

  it.each(formats)('%s: write then read gives the same names, dtypes, shapes and bits', (format) => {
    const back = decodeStateDict(encodeStateDict(source, format), format, `x.${format}`);
    expectMatches(back, EXPECTED.model);
  });

  it('the torch writer emits the pickle and zip layout torch.save writes', () => {
    const bytes = writeTorch(new Map([['a.weight', Tensor.from([1, 2, 3])]]));
    const text = Buffer.from(bytes).toString('latin1');
    expect(text.startsWith('PK\u0003\u0004')).toBe(true);
    for (const part of ['archive/data.pkl', 'archive/byteorder', 'archive/data/0', 'archive/version', 'ccollections\nOrderedDict\n', 'ctorch._utils\n_rebuild_tensor_v2\n', 'ctorch\nFloatStorage\n']) {
      expect(text).toContain(part);
    }
    // storages start on 64-byte boundaries, as torch.save aligns them
    const at = text.indexOf('archive/data/0') + 'archive/data/0'.length;
    const dataStart = text.indexOf('\u0000\u0000\u0080?', at);
    expect(dataStart % 64).toBe(0);
  });

  it('the ckpt writer emits the bytes of the hand-encoded fixture', () => {
    const top = readMindSporeCheckpoint(fixture('toplevel.ckpt')).tensors;
    expect(Buffer.from(writeMindSporeCheckpoint(top))).toEqual(fixture('toplevel.ckpt'));
  });

  it('the safetensors writer emits the bytes of the fixture writer', () => {
    expect(Buffer.from(writeSafetensors(source, { format: 'pt' }))).toEqual(fixture('model.safetensors'));
  });
});

describe('bad files', () => {
  const st = fixture('model.safetensors');
  const header = (json: object, data = new Uint8Array(0)) => {
    const text = Buffer.from(JSON.stringify(json));
    const length = Buffer.alloc(8);
    length.writeBigUInt64LE(BigInt(text.length));
    return Buffer.concat([length, text, data]);
  };

  it.each([
    ['a truncated file', st.subarray(0, st.length - 3), /truncated/],
    ['a header length past the end', Buffer.concat([Buffer.from([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]), st.subarray(8)]), /exceeds/],
    ['too short', st.subarray(0, 5), /too short/],
    ['overlapping tensors', header({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] }, b: { dtype: 'F32', shape: [1], data_offsets: [2, 6] } }, new Uint8Array(6)), /overlaps/],
    ['a gap', header({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, new Uint8Array(8)), /gap/],
    ['shape and bytes disagree', header({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 4] } }, new Uint8Array(4)), /needs 8 bytes/],
    ['an unknown dtype', header({ a: { dtype: 'F8', shape: [1], data_offsets: [0, 1] } }, new Uint8Array(1)), /dtype "F8"/],
    ['trailing bytes', header({ a: { dtype: 'U8', shape: [1], data_offsets: [0, 1] } }, new Uint8Array(3)), /not described/],
    ['a negative dimension', header({ a: { dtype: 'U8', shape: [-1], data_offsets: [0, 1] } }, new Uint8Array(1)), /invalid dimension/],
  ])('safetensors: %s', (_what, bytes, message) => {
    expect(() => readSafetensors(bytes, 'bad.safetensors')).toThrow(FormatError);
    expect(() => readSafetensors(bytes, 'bad.safetensors')).toThrow(message);
    expect(() => readSafetensors(bytes, 'bad.safetensors')).toThrow(/^bad\.safetensors: /);
  });

  it('torch: truncation, a bad CRC and a non-zip file are FormatErrors naming the file', () => {
    const pt = fixture('model.pt');
    expect(() => readTorch(pt.subarray(0, pt.length - 10), 'cut.pt')).toThrow(/cut\.pt: zip: .*truncated/);
    const flipped = Uint8Array.from(pt);
    flipped[pt.indexOf('conv.weight') + 2] ^= 0x20;
    expect(() => readTorch(flipped, 'flip.pt')).toThrow(/flip\.pt: zip: entry 'archive\/data\.pkl' fails its CRC-32 check/);
    expect(() => readTorch(Buffer.from('hello world'), 'x.pt')).toThrow(/not a zip archive/);
    expect(() => readTorch(Buffer.from([0x80, 0x02, 0x8a, 0x0a]), 'old.pt')).toThrow(/legacy/);
  });

  it('ckpt: truncation and a dims/content mismatch are FormatErrors naming the file', () => {
    const ck = fixture('model.ckpt');
    expect(() => readMindSporeCheckpoint(ck.subarray(0, ck.length - 5), 'cut.ckpt')).toThrow(/cut\.ckpt: ckpt: .*cannot be parsed/);
  });

  it('formats are inferred from extensions', () => {
    expect(['a.safetensors', 'b.pt', 'c.pth', 'd.ckpt', 'e.json'].map(formatOfPath)).toEqual(['safetensors', 'torch', 'torch', 'mindspore', 'json']);
    expect(() => formatOfPath('x.npz')).toThrow(/cannot tell the format of 'x\.npz'/);
  });
});
