export { generateDocs, jsonSchemaText, pagePath, type DocFiles } from './generate';
export { differenceTable, markdownTable } from './table';
export { renderPage, signatureText } from './page';
export { LANGS, type Lang } from './labels';
