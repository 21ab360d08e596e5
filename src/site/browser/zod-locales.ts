/**
 * zod's `locales` namespace (every language's messages, over half of the bundle) as the page needs
 * it: English only, which zod's schemas load themselves; the facades write their own messages.
 */
export { default as en } from 'zod/v4/locales/en.js';
