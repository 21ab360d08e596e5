/**
 * Readers against fixtures written by tests/fixtures/gen_formats.py (Python stdlib + numpy, not our
 * writers), with numpy's values in expected.json; then our writers read back by our readers and by
 * each other, and the checks every reader makes on a bad file.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

  it('torch: pickle protocol 4 (torch.save(pickle_protocol=4)) and another archive folder name', () => {
    expectMatches(readTorch(fixture('model-protocol4.pt'), 'model-protocol4.pt'), EXPECTED.model);
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

  it('ckpt: append_dict scalars (dims [] and the older [0]) are 0-d tensors; strings are kept apart', () => {
    const file = readMindSporeCheckpoint(fixture('extras.ckpt'), 'extras.ckpt');
    expect([...file.tensors.keys()]).toEqual(['mean', 'variance', 'epoch_num', 'step_num']);
    expect([file.tensors.get('epoch_num')!.dtype, file.tensors.get('epoch_num')!.shape, file.tensors.get('epoch_num')!.tolist()]).toEqual(['int64', [], 3n]);
    expect([file.tensors.get('step_num')!.dtype, file.tensors.get('step_num')!.shape, file.tensors.get('step_num')!.tolist()]).toEqual(['int32', [], 120]);
    expect(file.strings).toEqual(new Map([['note', 'lr=0.1']]));
    const skipped: string[] = [];
    decodeStateDict(fixture('extras.ckpt'), 'mindspore', 'extras.ckpt', { skipped });
    expect(skipped).toEqual(['note']);
  });

  it('torch: a dict of nn.Parameters (_rebuild_parameter) reads as its tensors', () => {
    const names = ['enc.norm1.weight', 'enc.norm1.bias', 'enc.norm1.running_mean', 'enc.norm1.running_var'];
    expectMatches(readTorch(fixture('parameters.pt'), 'parameters.pt'), Object.fromEntries(names.map((n) => [n, EXPECTED.model[n]])));
  });

  it('ckpt: a top-level InstanceNorm names its statistics mean/variance', () => {
    expectMatches(readMindSporeCheckpoint(fixture('toplevel.ckpt'), 'toplevel.ckpt').tensors, EXPECTED.toplevel);
  });
});

describe('safetensors bytes from the reference implementation', () => {
  // huggingface/safetensors bindings/python/tests/test_simple.py, test_serialization: what the
  // reference serializer wrote for {"test": np.zeros((2, 2), int32)} with data[1, 1] = 1 (a release
  // that did not yet pad the header to 8 bytes).
  const header = '{"test":{"dtype":"I32","shape":[2,2],"data_offsets":[0,16]}}';
  const reference = Buffer.concat([Buffer.from([0x3c, 0, 0, 0, 0, 0, 0, 0]), Buffer.from(header), Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0])]);

  it('reads them', () => {
    const t = readSafetensors(reference, 'reference.safetensors').tensors.get('test')!;
    expect([t.dtype, t.shape, t.tolist()]).toEqual(['int32', [2, 2], [[0, 0], [0, 1]]]);
  });

  it('writes the same bytes, with the header padded to 8 bytes as current releases do', () => {
    const written = Buffer.from(writeSafetensors(new Map([['test', Tensor.from([[0, 0], [0, 1]], { dtype: 'int32' })]])));
    const padded = Buffer.concat([Buffer.from([0x40, 0, 0, 0, 0, 0, 0, 0]), Buffer.from(header + '    '), reference.subarray(8 + 0x3c)]);
    expect(written).toEqual(padded);
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

  it("Python's pickle and zipfile read the torch writer's file as torch.load would (read_torch_file.py)", () => {
    const sd = new Map<string, Tensor>([
      ['n.weight', Tensor.from([[1.5, -2], [3, 4]])],
      ['n.running_var', Tensor.from([0.25, 1e-3], { dtype: 'float64' })],
      ['n.num_batches_tracked', Tensor.from([2n ** 40n], { dtype: 'int64' }).reshape([])],
      ['n.mask', Tensor.from([true, false], { dtype: 'bool' })],
      ['n.half', Tensor.from([0.5, 65504], { dtype: 'float16' })],
      ['n.empty', Tensor.zeros([0, 3], 'float32')],
    ]);
    const path = join(mkdtempSync(join(tmpdir(), 'pt-')), 'w.pt');
    writeFileSync(path, writeTorch(sd));
    const read = JSON.parse(execFileSync('python3', [join(__dirname, '..', 'fixtures', 'read_torch_file.py'), path]).toString());
    expect(read).toEqual({
      'n.weight': { storage: 'FloatStorage', shape: [2, 2], data: [1.5, -2, 3, 4] },
      'n.running_var': { storage: 'DoubleStorage', shape: [2], data: [0.25, 1e-3] },
      'n.num_batches_tracked': { storage: 'LongStorage', shape: [], data: ['1099511627776'] },
      'n.mask': { storage: 'BoolStorage', shape: [2], data: [true, false] },
      'n.half': { storage: 'HalfStorage', shape: [2], data: [0.5, 65504] },
      'n.empty': { storage: 'FloatStorage', shape: [0, 3], data: [] },
    });
  });

  it('the ckpt writer emits the bytes of the hand-encoded fixture', () => {
    const top = readMindSporeCheckpoint(fixture('toplevel.ckpt')).tensors;
    expect(Buffer.from(writeMindSporeCheckpoint(top))).toEqual(fixture('toplevel.ckpt'));
  });

  it("ckpt: an empty tensor, a scalar and a zero dim give the bytes Google's protobuf gives from MindSpore's checkpoint.proto (every required field present)", () => {
    const bytes = fixture('proto-empty.ckpt');
    const read = readMindSporeCheckpoint(bytes, 'proto-empty.ckpt').tensors;
    expect([...read].map(([k, t]) => [k, t.dtype, [...t.shape]])).toEqual([
      ['empty.moving_mean', 'float32', [0]],
      ['scalar', 'int64', []],
      ['zero_dim', 'float16', [2, 0, 3]],
      ['norm.gamma', 'float32', [3]],
    ]);
    expect(Buffer.from(writeMindSporeCheckpoint(read))).toEqual(bytes);
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
    expect(() => readMindSporeCheckpoint(ck.subarray(0, ck.length - 5), 'cut.ckpt')).toThrow(/cut\.ckpt: ckpt: a parameter at byte \d+ claims \d+ bytes, but only \d+ remain \(truncated\)/);
    expect(() => readMindSporeCheckpoint(fixture('model.safetensors'), 'st.ckpt')).toThrow(/st\.ckpt: ckpt: byte 0 starts a field other than Checkpoint.value/);
    expect(() => readMindSporeCheckpoint(new Uint8Array(0), 'empty.ckpt')).toThrow(/empty\.ckpt: ckpt: the checkpoint holds no parameters/);
    // Value{tag 'a', TensorProto{dims [3], 'Float32', 8 bytes}}: hand-encoded protobuf
    const len = (b: number[]) => [b.length, ...b];
    const tensor = [0x08, 3, 0x12, ...len([...Buffer.from('Float32')]), 0x1a, ...len(new Array(8).fill(0))];
    const value = [0x0a, ...len([0x0a, ...len([0x61]), 0x12, ...len(tensor)])];
    expect(() => readMindSporeCheckpoint(Uint8Array.from(value), 'dims.ckpt')).toThrow("dims.ckpt: ckpt: 'a' has dims [3] of Float32, which need 12 bytes, but tensor_content has 8");
    value[value.indexOf(3)] = 2;
    expect(readMindSporeCheckpoint(Uint8Array.from(value), 'dims.ckpt').tensors.get('a')!.tolist()).toEqual([0, 0]);
  });

  it('formats are inferred from extensions', () => {
    expect(['a.safetensors', 'b.pt', 'c.pth', 'd.ckpt', 'e.json'].map(formatOfPath)).toEqual(['safetensors', 'torch', 'torch', 'mindspore', 'json']);
    expect(() => formatOfPath('x.npz')).toThrow(/cannot tell the format of 'x\.npz'/);
  });
});
