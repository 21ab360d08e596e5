/**
 * The browser has no Node `Buffer`; the core uses one call of it, `Buffer.from(base64, 'base64')`,
 * to decode the wasm kernel it embeds. The site's bundle injects this object for the name
 * `Buffer` (esbuild's `inject`), so the kernel loads in the page exactly as in Node.
 */
export const Buffer = {
  from(text: string, encoding: string): Uint8Array {
    if (encoding !== 'base64') throw new Error(`the site's Buffer shim decodes base64 only, not ${encoding}`);
    const binary = atob(text);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes;
  },
};
