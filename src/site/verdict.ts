/**
 * The playground's porting verdict. The porting rules (`portCall`, mapping.json) answer for one
 * call and one direction; the playground shows two calls. So both directions are ported, and each
 * ported call is compared with the call typed on the other side: the verdict is that of a
 * direction whose port is the other side's call, and 'differs' when neither is (the two layers are
 * then not a port of each other, whatever the rules say about each).
 */
import { portCall, pyValue, type Framework, type Mapping, type MappingEntry, type PortResult, type SourceArg, type Verdict } from '../mapping';

/** Argument name -> the text typed for it (empty fields left out). */
export type CallText = Record<string, string>;

export type Direction = 'toMindspore' | 'toTorch';

export interface Mismatch {
  /** The framework whose typed call differs from the port. */
  framework: Framework;
  arg: string;
  /** The text typed (or the signature's default, `isDefault`). */
  have: { text: string; isDefault: boolean };
  port: { text: string; isDefault: boolean };
}

export interface DirectionVerdict extends PortResult {
  /** The ported call as Python: `mindspore.nn.InstanceNorm1d(num_features=2, affine=False)`. */
  call: string;
  /** Where the other side's call differs from this port (empty: it is the port). */
  mismatches: Mismatch[];
}

export interface PairVerdict {
  verdict: Verdict;
  /** Which ports the other side's call is: the verdict is theirs; 'neither' makes it 'differs'. */
  basis: Direction | 'both' | 'neither';
  reasons: string[];
  fixes: string[];
  /** Mismatches of the PyTorch → MindSpore port, when `basis` is 'neither'. */
  mismatches: Mismatch[];
  directions: Record<Direction, DirectionVerdict>;
}

const SEVERITY: Record<Verdict, number> = { exact: 0, differs: 1, 'needs weights': 2 };
const FROM: Record<Direction, Framework> = { toMindspore: 'torch', toTorch: 'mindspore' };
const TO: Record<Direction, Framework> = { toMindspore: 'mindspore', toTorch: 'torch' };

export function pairVerdict(mapping: Mapping, entry: MappingEntry, calls: Record<Framework, CallText>): PairVerdict {
  const port = (direction: Direction): DirectionVerdict => {
    const from = FROM[direction];
    const to = TO[direction];
    const args: SourceArg[] = Object.entries(calls[from]).map(([name, text]) => ({ name, text }));
    const result = portCall({ api: entry.api, from, to, args, hasStarArgs: false }, mapping);
    return { ...result, call: pythonCall(entry[to].name, result.args), mismatches: compareCalls(entry, to, result.args, calls[to]) };
  };
  const directions = { toMindspore: port('toMindspore'), toTorch: port('toTorch') };
  const matching = (['toMindspore', 'toTorch'] as const).filter((d) => directions[d].mismatches.length === 0);
  if (matching.length === 0) {
    return { verdict: 'differs', basis: 'neither', reasons: [], fixes: [], mismatches: directions.toMindspore.mismatches, directions };
  }
  const worst = matching.reduce((a, b) => (SEVERITY[directions[b].verdict] > SEVERITY[directions[a].verdict] ? b : a));
  const unique = (lists: string[][]) => [...new Set(lists.flat())];
  return {
    verdict: directions[worst].verdict,
    basis: matching.length === 2 ? 'both' : matching[0],
    reasons: unique(matching.map((d) => directions[d].reasons)),
    fixes: unique(matching.map((d) => directions[d].fixes)),
    mismatches: [],
    directions,
  };
}

/** `torch.nn.InstanceNorm1d(2, affine=True)`. */
function pythonCall(qualifiedName: string, args: readonly SourceArg[]): string {
  return `${qualifiedName}(${args.map((a) => (a.name === null ? a.text : `${a.name}=${a.text}`)).join(', ')})`;
}

/** The arguments where the typed call differs from the ported one, defaults filled in from the signature. */
function compareCalls(entry: MappingEntry, framework: Framework, ported: readonly SourceArg[], typed: CallText): Mismatch[] {
  const signature = entry[framework].args;
  const portedByName = new Map(ported.map((a, i) => [a.name ?? signature[i]?.name, a.text]));
  const mismatches: Mismatch[] = [];
  for (const { name, default: fallback } of signature) {
    const side = (text: string | undefined) => (text === undefined ? { text: fallback ?? '', isDefault: true } : { text, isDefault: false });
    const have = side(typed[name]);
    const port = side(portedByName.get(name));
    if (!sameValue(have.text, port.text)) mismatches.push({ framework, arg: name, have, port });
  }
  return mismatches;
}

/** Python's `==` for the literals the rules read (1 == 1.0); dotted names by their last part (mstype.float32, mindspore.float32). */
function sameValue(a: string, b: string): boolean {
  const x = pyValue(a);
  const y = pyValue(b);
  if (x.kind === 'literal' && y.kind === 'literal') return x.value === y.value || (Number.isNaN(x.value) && Number.isNaN(y.value));
  if (x.kind === 'name' && y.kind === 'name') return x.parts[x.parts.length - 1] === y.parts[y.parts.length - 1];
  return a.trim() === b.trim();
}
