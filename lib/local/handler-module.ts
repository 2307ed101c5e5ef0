import { access } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";

/** A Lambda handler as the nodejs24.x runtime calls it: `(event, context)`, awaited. */
export type LambdaHandler = (event: unknown, context: unknown) => unknown;

/** File extensions tried, in order, for the module part of a handler string. */
const EXTENSIONS = [".ts", ".mts", ".js", ".mjs"];

/**
 * Imports the handler named by a Lambda handler string, resolved against `root` the way the Node
 * runtime resolves it against the task root: `handlers/delete-directories.handler` is the export
 * `handler` of `<root>/handlers/delete-directories.ts` (or `.mts`, `.js`, `.mjs`); further dots name
 * nested properties. Throws, like a failed Lambda init, when the module or export is missing.
 */
export async function loadHandler(root: string, handlerString: string): Promise<LambdaHandler> {
  const slash = handlerString.lastIndexOf("/");
  const dot = handlerString.indexOf(".", slash + 1);
  if (dot <= slash + 1 || dot === handlerString.length - 1) {
    throw new Error(`handler "${handlerString}" is not of the form <module path>.<export>`);
  }
  const modulePath = path.resolve(root, handlerString.slice(0, dot));
  const exportPath = handlerString.slice(dot + 1).split(".");
  const file = await findModuleFile(modulePath);
  if (!file) {
    throw new Error(
      `handler "${handlerString}": no ${EXTENSIONS.join("/")} file at ${modulePath} (root ${root})`,
    );
  }
  let value: unknown = await import(pathToFileURL(file).href);
  for (const key of exportPath) {
    value =
      typeof value === "object" && value !== null
        ? (value as Record<string, unknown>)[key]
        : undefined;
  }
  if (typeof value !== "function") {
    throw new Error(`handler "${handlerString}": ${file} does not export a function at that name`);
  }
  return value as LambdaHandler;
}

async function findModuleFile(modulePath: string): Promise<string | undefined> {
  for (const extension of EXTENSIONS) {
    const candidate = `${modulePath}${extension}`;
    try {
      await access(candidate);
      return candidate;
    } catch {
      // Try the next extension.
    }
  }
  return undefined;
}
