export { loadMapping, parseMapping, readMappingFile, mappingEntry, inputRanks, MAPPING_PATH } from './load';
export { portCall, pyValue } from './porting';
export type { ApiName, Framework, PortRequest, PortResult, SourceArg, Verdict } from './porting';
export type { Mapping, MappingEntry, MappingRow, Claim, Example, StateTensor, Decision, Erratum, PortCase, PortDirection, Text } from './schema';
export { FRAMEWORKS, KINDS } from './schema';
