/**
 * The environment of a user's shell: this process's, without what npm exports to the scripts it
 * runs (`npm test` passes the project's .npmrc settings on as npm_config_* variables, among them
 * onnxruntime-node-install=skip) and without onnxruntime-node's own install switches.
 */
export function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(npm_|NPM_|ONNXRUNTIME_NODE_|INIT_CWD$)/i.test(k)));
}
