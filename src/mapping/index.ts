export { loadMapping, parseMapping, mappingEntry, MAPPING_PATH } from './load';
export type { Mapping, MappingEntry, Example, StateTensor } from './schema';
