/**
 * Evaluates the string-building CloudFormation functions (Fn::Sub, Fn::Split, Fn::Join) the way
 * CloudFormation will at deploy time, for one made-up account. Lets a test check what a policy
 * will really say, not only how it is spelled. `${LogicalId}` inside Fn::Sub takes its value from
 * `refs`, and so does `Fn::GetAtt [Id, Attr]` when `refs` has `Id.Attr`; anything else (Ref, other
 * Fn::GetAtt, …) is returned as written.
 */
export interface PseudoParameters {
  "AWS::AccountId": string;
  "AWS::Partition": string;
  "AWS::Region": string;
}

export const TEST_ACCOUNT: PseudoParameters = {
  "AWS::AccountId": "123456789012",
  "AWS::Partition": "aws",
  "AWS::Region": "ap-southeast-1",
};

export function evaluate(
  node: unknown,
  refs: Record<string, string> = {},
  pseudo: PseudoParameters = TEST_ACCOUNT,
): unknown {
  if (Array.isArray(node)) return node.map((item) => evaluate(item, refs, pseudo));
  if (node === null || typeof node !== "object") return node;
  const entries = Object.entries(node);
  const [first] = entries;
  if (entries.length === 1 && first !== undefined) {
    const [fn, args] = first;
    if (fn === "Fn::Sub") {
      if (typeof args !== "string")
        throw new Error("only the one-string form of Fn::Sub is evaluated");
      return args.replace(/\$\{([^}!]+)\}/g, (_, name: string) => {
        if (name in pseudo) return pseudo[name as keyof PseudoParameters];
        const ref = refs[name];
        if (ref !== undefined) return ref;
        throw new Error(`Fn::Sub refers to ${name}, which this evaluator does not know`);
      });
    }
    if (fn === "Fn::GetAtt" && Array.isArray(args)) {
      const known = refs[(args as string[]).join(".")];
      if (known !== undefined) return known;
    }
    if (fn === "Fn::Split") {
      const [separator, source] = args as [string, unknown];
      return expectString(evaluate(source, refs, pseudo)).split(separator);
    }
    if (fn === "Fn::Join") {
      const [separator, items] = args as [string, unknown];
      const list = evaluate(items, refs, pseudo);
      if (!Array.isArray(list)) throw new Error("Fn::Join needs a list");
      return list.map(expectString).join(separator);
    }
  }
  return Object.fromEntries(entries.map(([key, value]) => [key, evaluate(value, refs, pseudo)]));
}

function expectString(value: unknown): string {
  if (typeof value !== "string") throw new Error(`expected a string, got ${JSON.stringify(value)}`);
  return value;
}

/**
 * Whether an IAM `ArnLike` pattern matches an ARN: each of the six colon-separated parts is
 * compared on its own, `*` matching any run of characters and `?` one character.
 */
export function arnLike(pattern: string, arn: string): boolean {
  const patternParts = arnParts(pattern);
  const arnPartsList = arnParts(arn);
  if (patternParts === undefined || arnPartsList === undefined) return false;
  return patternParts.every((part, i) => wildcard(part).test(arnPartsList[i] ?? ""));
}

function arnParts(arn: string): string[] | undefined {
  const parts = arn.split(":");
  if (parts.length < 6) return undefined;
  return [...parts.slice(0, 5), parts.slice(5).join(":")];
}

function wildcard(pattern: string): RegExp {
  const body = pattern
    .split("")
    .map((char) =>
      char === "*" ? ".*" : char === "?" ? "." : char.replace(/[.+^${}()|[\]\\]/g, "\\$&"),
    )
    .join("");
  return new RegExp(`^${body}$`);
}
