/**
 * The generated Markdown (src/mapping/render) as HTML: markdown-it for the text and tables,
 * highlight.js for the code, at site-build time, so a page reads without its script. Raw HTML in
 * the Markdown is escaped, never passed through. Links are handed to `link`, which returns the
 * site's href (relative links) or throws for one the site cannot serve.
 */
import hljs from 'highlight.js';
import MarkdownIt from 'markdown-it';

export interface RenderOptions {
  /** The site href for a link of the Markdown; absolute (http, https) ones come back unchanged. */
  link(href: string): string;
}

export function renderMarkdown(markdown: string, options: RenderOptions): string {
  const md = new MarkdownIt({
    html: false,
    linkify: false,
    typographer: false,
    // Each code block gets highlight.js's box and its theme's colours.
    langPrefix: 'hljs language-',
    highlight: (code, language) => {
      if (!language || !hljs.getLanguage(language)) return '';
      return hljs.highlight(code, { language, ignoreIllegals: true }).value;
    },
  });
  const rules = md.renderer.rules;
  rules.link_open = (tokens, idx, opts, _env, self) => {
    const token = tokens[idx];
    const href = String(token.attrGet('href') ?? '');
    if (isExternal(href)) {
      token.attrSet('rel', 'noopener');
      token.attrJoin('class', 'external');
    } else {
      token.attrSet('href', options.link(href));
    }
    return self.renderToken(tokens, idx, opts);
  };
  // Wide tables scroll inside their box on a phone instead of widening the page.
  rules.table_open = () => '<div class="table-scroll"><table>\n';
  rules.table_close = () => '</table></div>\n';
  return md.render(markdown);
}

export function isExternal(href: string): boolean {
  return /^https?:\/\//.test(href);
}
