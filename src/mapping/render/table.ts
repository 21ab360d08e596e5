/** The parameter-difference table of one entry, as rows of cells: the page and `npm start` both use it. */
import type { MappingEntry } from '../schema';
import { categoryLabel, LABELS, subcategoryLabel, type Lang } from './labels';

export function differenceTable(entry: MappingEntry, lang: Lang): { header: string[]; rows: string[][] } {
  let previous: string | undefined;
  const rows = entry.rows.map((row) => {
    // Like the published pages, a category is named on its first row only.
    const category = row.category === previous ? '' : categoryLabel(row, lang);
    previous = row.category;
    return [category, subcategoryLabel(row, lang), row.torch ?? '-', row.mindspore ?? '-', row.difference[lang]];
  });
  return { header: [...LABELS[lang].header], rows };
}

/** A Markdown table; `|` inside a cell is escaped. */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}
