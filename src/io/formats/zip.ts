/**
 * The part of ZIP that torch.save archives use: stored (or deflated) entries, a central directory,
 * CRC-32 per entry. Written here rather than through fflate's unzipSync so that every size comes
 * from the file's central directory and is checked against the file before anything is allocated
 * (a corrupt "uncompressed size" cannot make us allocate gigabytes), and the CRC is verified as
 * PyTorch's reader (miniz) does. Zip64 is not read (torch uses it only for archives over 4 GiB).
 */
import { inflateSync } from 'fflate';
import { ValueError } from '../../core/errors';
import { concatChunks, FormatError } from './types';

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export interface ZipEntry {
  name: string;
  /** Reads, inflates if needed, and CRC-checks the entry's bytes. */
  read(): Uint8Array;
  size: number;
}

/** Deflate cannot expand data by more than about 1032:1, which bounds a deflated entry's real size. */
const MAX_DEFLATE_RATIO = 1032;

export function readZip(bytes: Uint8Array, file: string): Map<string, ZipEntry> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const eocd = findEndOfCentralDirectory(bytes, view, file);
  const count = view.getUint16(eocd + 10, true);
  const dirSize = view.getUint32(eocd + 12, true);
  const dirOffset = view.getUint32(eocd + 16, true);
  if (count === 0xffff || dirOffset === 0xffffffff) throw new FormatError(file, 'zip: Zip64 archives (over 4 GiB) are not supported');
  if (dirOffset + dirSize > eocd) throw new FormatError(file, `zip: the central directory (offset ${dirOffset}, ${dirSize} bytes) lies outside the file (truncated?)`);
  const entries = new Map<string, ZipEntry>();
  let p = dirOffset;
  for (let i = 0; i < count; i++) {
    if (p + 46 > dirOffset + dirSize || view.getUint32(p, true) !== 0x02014b50) throw new FormatError(file, `zip: central directory entry ${i} is corrupt`);
    const flags = view.getUint16(p + 8, true);
    const method = view.getUint16(p + 10, true);
    const crc = view.getUint32(p + 16, true);
    const compressed = view.getUint32(p + 20, true);
    const size = view.getUint32(p + 24, true);
    const nameLength = view.getUint16(p + 28, true);
    const extraLength = view.getUint16(p + 30, true);
    const commentLength = view.getUint16(p + 32, true);
    const localOffset = view.getUint32(p + 42, true);
    if (p + 46 + nameLength > dirOffset + dirSize) throw new FormatError(file, `zip: central directory entry ${i} is corrupt`);
    const name = new TextDecoder().decode(bytes.subarray(p + 46, p + 46 + nameLength));
    p += 46 + nameLength + extraLength + commentLength;
    if (flags & 1) throw new FormatError(file, `zip: entry '${name}' is encrypted`);
    if (method !== 0 && method !== 8) throw new FormatError(file, `zip: entry '${name}' uses compression method ${method}; only stored (0) and deflate (8) are read`);
    if (method === 0 && compressed !== size) throw new FormatError(file, `zip: stored entry '${name}' has compressed size ${compressed} but size ${size}`);
    if (method === 8 && size > compressed * MAX_DEFLATE_RATIO + 1024) throw new FormatError(file, `zip: entry '${name}' claims ${size} bytes from ${compressed} compressed bytes, more than deflate can produce`);
    const dataStart = localDataStart(view, localOffset, name, file);
    if (dataStart + compressed > dirOffset) throw new FormatError(file, `zip: entry '${name}' (${compressed} bytes at ${dataStart}) runs past the end of the data (truncated?)`);
    const raw = bytes.subarray(dataStart, dataStart + compressed);
    entries.set(name, {
      name,
      size,
      read: () => {
        const data = method === 0 ? raw : inflate(raw, size, name, file);
        if (crc32(data) !== crc) throw new FormatError(file, `zip: entry '${name}' fails its CRC-32 check (corrupt)`);
        return data;
      },
    });
  }
  return entries;
}

function findEndOfCentralDirectory(bytes: Uint8Array, view: DataView, file: string): number {
  if (bytes.length < 22) throw new FormatError(file, `zip: the file has ${bytes.length} bytes, too short for a zip archive`);
  // The record is 22 bytes plus a comment of at most 65535 bytes, searched backwards from the end.
  const stop = Math.max(0, bytes.length - 22 - 0xffff);
  for (let p = bytes.length - 22; p >= stop; p--) {
    if (view.getUint32(p, true) === 0x06054b50 && p + 22 + view.getUint16(p + 20, true) === bytes.length) return p;
  }
  throw new FormatError(file, 'zip: no end-of-central-directory record (truncated, or not a zip archive)');
}

function localDataStart(view: DataView, offset: number, name: string, file: string): number {
  if (offset + 30 > view.byteLength || view.getUint32(offset, true) !== 0x04034b50) {
    throw new FormatError(file, `zip: the local header of entry '${name}' is missing or corrupt`);
  }
  return offset + 30 + view.getUint16(offset + 26, true) + view.getUint16(offset + 28, true);
}

function inflate(raw: Uint8Array, size: number, name: string, file: string): Uint8Array {
  const out = new Uint8Array(size);
  let result: Uint8Array;
  try {
    result = inflateSync(raw, { out });
  } catch (err) {
    throw new FormatError(file, `zip: entry '${name}' does not inflate (${(err as Error).message})`);
  }
  if (result.length !== size) throw new FormatError(file, `zip: entry '${name}' inflates to ${result.length} bytes, not ${size}`);
  return result;
}

/**
 * A stored (uncompressed) archive in the given order, each entry's data aligned to `alignment`
 * bytes with padding in the local header's extra field, as torch.save's writer aligns storages to
 * 64 bytes so that a reader can map them in place.
 */
export function writeZip(files: readonly [string, Uint8Array][], alignment = 64): Uint8Array {
  return concatChunks(zipChunks(files, alignment));
}

/** writeZip's bytes as pieces: headers, each file's data as given (not copied), the central directory. */
export function zipChunks(files: readonly [string, Uint8Array][], alignment = 64): Uint8Array[] {
  const total = files.reduce((n, [, data]) => n + data.length, 0);
  if (files.length > 0xfffe || total > 0xffff0000) {
    throw new ValueError(`zip: ${files.length} entries with ${total} bytes need Zip64, which this writer does not write (at most 65534 entries and 4 GiB)`);
  }
  const chunks: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const [name, data] of files) {
    const nameBytes = new TextEncoder().encode(name);
    const headerEnd = offset + 30 + nameBytes.length;
    const padding = headerEnd % alignment === 0 ? 0 : alignment - (headerEnd % alignment);
    const extraLength = padding === 0 ? 0 : padding >= 4 ? padding : padding + alignment; // an extra field needs 4 bytes of header
    const crc = crc32(data);
    const local = new Uint8Array(30 + nameBytes.length + extraLength);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(4, 20, true);
    lv.setUint32(14, crc, true);
    lv.setUint32(18, data.length, true);
    lv.setUint32(22, data.length, true);
    lv.setUint16(26, nameBytes.length, true);
    lv.setUint16(28, extraLength, true);
    local.set(nameBytes, 30);
    if (extraLength) {
      // extra field 'FB' (the id PyTorch uses) with zero padding
      lv.setUint16(30 + nameBytes.length, 0x4246, true);
      lv.setUint16(32 + nameBytes.length, extraLength - 4, true);
    }
    const entry = new Uint8Array(46 + nameBytes.length);
    const cv = new DataView(entry.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, 20, true);
    cv.setUint16(6, 20, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, data.length, true);
    cv.setUint32(24, data.length, true);
    cv.setUint16(28, nameBytes.length, true);
    cv.setUint32(42, offset, true);
    entry.set(nameBytes, 46);
    chunks.push(local, data);
    central.push(entry);
    offset += local.length + data.length;
  }
  const dirSize = central.reduce((s, c) => s + c.length, 0);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, files.length, true);
  ev.setUint16(10, files.length, true);
  ev.setUint32(12, dirSize, true);
  ev.setUint32(16, offset, true);
  return [...chunks, ...central, end];
}
