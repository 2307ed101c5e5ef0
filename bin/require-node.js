// The one place that says which Node.js this project needs, and what to do on an older one.
//
// Plain JavaScript with nothing newer than Node 12 can parse, so that it still runs — and says
// something useful — on the Node that is too old for the rest of the code (which is TypeScript run
// by Node's type stripping, on by default from 22.18 and 23.6). Used by:
// - bin/smh-cleaner.js (and so `npm start`), before it loads any TypeScript;
// - `npm test` (the first step of the script);
// - .ci/run (`node bin/require-node.js --check`), to decide whether to install Node 24.
// `npm install` / `npm ci` stop earlier, through `engine-strict=true` in .npmrc and `engines` in
// package.json: npm offers no hook that runs before it installs (a root `preinstall` runs after),
// but its EBADENGINE error prints `engines` whole, so `engines["to-get-node-24"]` says what to do.

import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The oldest Node.js that runs this project: type stripping is on by default from here. */
export const REQUIRED = "22.18";

/**
 * Whether `version` (as `process.versions.node`) strips types by default: 22.18+ on the 22 line,
 * 23.6+ on the 23 line, any 24 or later.
 *
 * @example nodeIsSupported("20.20.2") === false; nodeIsSupported("24.21.0") === true
 */
export function nodeIsSupported(version) {
  const parts = String(version).split(".").map(Number);
  const major = parts[0] || 0;
  const minor = parts[1] || 0;
  if (major >= 24) return true;
  if (major === 23) return minor >= 6;
  if (major === 22) return minor >= 18;
  return false;
}

/**
 * One way to get Node 24: from the npm registry, as .ci/run does. No quotes, so that it reads the
 * same in npm's EBADENGINE output, which prints package.json's `engines` (where it is repeated, as
 * `to-get-node-24`, for `npm install` on an old Node) as JSON.
 */
export const GET_NODE_24 =
  "npm install --prefix ~/.node24 node@24 && export PATH=~/.node24/node_modules/.bin:$PATH";

/** The message for an unsupported `version`: what is needed, and one way to get it. */
export function unsupportedNodeMessage(version, execPath) {
  return [
    `smh-batch-cleaner needs Node.js ${REQUIRED} or newer (Lambda runs Node 24); this is Node ${version} (${execPath}).`,
    "Get Node 24 from the npm registry, put it first on PATH, and run the command again:",
    `  ${GET_NODE_24}`,
    "(or with a version manager: nvm install 24, or fnm install 24 && fnm use 24)",
  ].join("\n");
}

/** Exits with status 1 and {@link unsupportedNodeMessage} on stderr when this Node is too old. */
export function requireSupportedNode() {
  if (nodeIsSupported(process.versions.node)) return;
  process.stderr.write(`${unsupportedNodeMessage(process.versions.node, process.execPath)}\n`);
  process.exit(1);
}

// `node bin/require-node.js`: the check as a command (exit 1 with the message, or 0 silently);
// `--check` says nothing either way (for scripts that act on the status themselves).
if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (process.argv.includes("--check"))
    process.exit(nodeIsSupported(process.versions.node) ? 0 : 1);
  requireSupportedNode();
}
