/**
 * Reading and writing checkpoints by format name or file extension. Each format lives in its own
 * file; this one only dispatches.
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { ValueError } from '../../core/errors';
import { writeFileAtomic } from '../atomic-write';
import { readJsonStateDict, writeJsonStateDict } from './json';
import { mindSporeCheckpointChunks, readMindSporeCheckpoint } from './mindspore-ckpt';
import { readSafetensors, safetensorsChunks } from './safetensors';
import { readTorch, torchChunks } from './torch-pt';
import { concatChunks, FORMATS, type FormatName, type StateDict, type StateDictLike } from './types';

export * from './types';
export { readSafetensors, writeSafetensors, MAX_HEADER_BYTES } from './safetensors';
export { readTorch, writeTorch, loadTorchObject, ALLOWED_GLOBALS } from './torch-pt';
export { readMindSporeCheckpoint, writeMindSporeCheckpoint } from './mindspore-ckpt';
export { readJsonStateDict, writeJsonStateDict } from './json';
export { UnpicklingError } from './pickle';

const EXTENSIONS: Record<string, FormatName> = {
  '.safetensors': 'safetensors',
  '.pt': 'torch',
  '.pth': 'torch',
  '.bin': 'torch',
  '.ckpt': 'mindspore',
  '.json': 'json',
};

/** The format a path's extension names (`.safetensors`, `.pt`/`.pth`/`.bin`, `.ckpt`, `.json`). */
export function formatOfPath(path: string): FormatName {
  const format = EXTENSIONS[extname(path).toLowerCase()];
  if (!format) {
    throw new ValueError(`cannot tell the format of '${path}' from its extension; use one of ${Object.keys(EXTENSIONS).join(', ')} or name the format (${FORMATS.join(', ')})`);
  }
  return format;
}

export function checkFormat(name: string, option: string): FormatName {
  if (!(FORMATS as readonly string[]).includes(name)) throw new ValueError(`${option} must be one of ${FORMATS.join(', ')}, got '${name}'`);
  return name as FormatName;
}

export interface ReadOptions {
  /** For torch files holding a dict around the state_dict: its key (`state_dict`, `model`). */
  entry?: string;
  /** Receives the names of entries that are not tensors and were left out (MindSpore `append_dict` strings). */
  skipped?: string[];
}

/** Parses `bytes` as `format`; `file` names the source in error messages. */
export function decodeStateDict(bytes: Uint8Array, format: FormatName, file: string, options: ReadOptions = {}): StateDict {
  if (options.entry !== undefined && format !== 'torch') throw new ValueError(`the entry option only applies to torch files, not ${format}`);
  switch (format) {
    case 'safetensors':
      return readSafetensors(bytes, file).tensors;
    case 'torch':
      return readTorch(bytes, file, options);
    case 'mindspore': {
      const checkpoint = readMindSporeCheckpoint(bytes, file);
      options.skipped?.push(...checkpoint.strings.keys());
      return checkpoint.tensors;
    }
    case 'json':
      return readJsonStateDict(bytes, file);
  }
}

export function encodeStateDict(sd: StateDictLike, format: FormatName): Uint8Array {
  return concatChunks(encodeStateDictChunks(sd, format));
}

/**
 * The file's bytes as the pieces they are made of: headers and framing, and each tensor's own
 * memory (not copied), so a big checkpoint can be written without a second copy of it in memory.
 */
export function encodeStateDictChunks(sd: StateDictLike, format: FormatName): Uint8Array[] {
  switch (format) {
    case 'safetensors':
      return safetensorsChunks(sd);
    case 'torch':
      return torchChunks(sd);
    case 'mindspore':
      return mindSporeCheckpointChunks(sd);
    case 'json':
      return [writeJsonStateDict(sd)];
  }
}

export function readStateDict(path: string, format: FormatName = formatOfPath(path), options: ReadOptions = {}): StateDict {
  return decodeStateDict(readFileSync(path), format, path, options);
}

/** Writes atomically: readers see the old file or the complete new one, never a partial one. */
export function writeStateDict(path: string, sd: StateDictLike, format: FormatName = formatOfPath(path)): void {
  writeFileAtomic(path, encodeStateDict(sd, format));
}
