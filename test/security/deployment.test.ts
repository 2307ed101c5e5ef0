// The deployment's security properties, stated for the whole template rather than function by
// function (test/unit/deploy/serverless-template.test.ts checks each function's exact rights):
// whatever is added to serverless.yml later, these must keep holding.
//
// - No statement anywhere grants an action by wildcard; none allows everything (`Resource: "*"`).
// - Every SQS right any role or policy grants is on a queue this stack creates.
// - No resource policy allows "everyone"; the jobs queue accepts messages from the configured
//   producers, the retention scan and the function that consumes it (which parks its own jobs:
//   re-sends them unchanged, with a delay, within a bounded retry budget — lib/batch/parking.ts);
//   the results queue from the functions only; a dead-letter queue from the function whose queue
//   it serves only (which sends what it gives up); nobody but its own function may receive,
//   delete or hide a queue's messages.
// - No function can be invoked from outside: no function URL, no public invoke permission.
//
// `osls package` runs once, offline, as in the template test.
import { describe, expect, it } from "vitest";
import { arnLike, evaluate, TEST_ACCOUNT } from "../unit/deploy/intrinsics.ts";
import {
  type TemplateResource as Resource,
  readTemplate,
  usePackagedService,
} from "../unit/deploy/osls.ts";

interface Statement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Principal?: unknown;
  NotPrincipal?: unknown;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: unknown;
  NotResource?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

const ACCOUNT = TEST_ACCOUNT["AWS::AccountId"];
const PRODUCER = `arn:aws:iam::${ACCOUNT}:role/producer`;
const RECYCLER = `arn:aws:iam::${ACCOUNT}:role/recycler`;
const OPERATOR_ROLE = "smh-ops-runbook";
const OUTSIDER = "arn:aws:iam::999999999999:role/outsider";

let resources: Record<string, Resource>;
let conditions: Record<string, unknown>;

usePackagedService({
  workDirPrefix: "smh-security-template-",
  stage: "sectest",
  // Producers named explicitly, as a production deployment must; an operator role may run the
  // retention rules by hand.
  params: {
    smhPolicy: '{"libraries":{}}',
    retentionRulesFile: "examples/retention-rules.yml",
    jobProducerPrincipals: PRODUCER,
    recycleActionProducerPrincipals: RECYCLER,
    retentionInvokerRoles: OPERATOR_ROLE,
  },
  read: (packageDir) => {
    const template = readTemplate(packageDir);
    resources = template.Resources;
    conditions = (template as unknown as { Conditions: Record<string, unknown> }).Conditions;
  },
});

/** Every statement: identity policies (role inline, managed) and resource policies. */
function statements(): { owner: string; kind: "identity" | "resource"; statement: Statement }[] {
  const found: { owner: string; kind: "identity" | "resource"; statement: Statement }[] = [];
  for (const [owner, resource] of Object.entries(resources)) {
    const identity: unknown[] = [];
    if (resource.Type === "AWS::IAM::Role") {
      for (const policy of (resource.Properties.Policies as { PolicyDocument: unknown }[]) ?? []) {
        identity.push(policy.PolicyDocument);
      }
    }
    if (resource.Type === "AWS::IAM::Policy" || resource.Type === "AWS::IAM::ManagedPolicy") {
      identity.push(resource.Properties.PolicyDocument);
    }
    const resourcePolicy =
      resource.Type.endsWith("Policy") && !resource.Type.startsWith("AWS::IAM::")
        ? resource.Properties.PolicyDocument
        : undefined;
    for (const document of identity) {
      for (const statement of (document as { Statement: Statement[] }).Statement) {
        found.push({ owner, kind: "identity", statement });
      }
    }
    if (resourcePolicy !== undefined) {
      for (const statement of (resourcePolicy as { Statement: Statement[] }).Statement) {
        found.push({ owner, kind: "resource", statement });
      }
    }
  }
  return found;
}

const list = (value: unknown): unknown[] => (value === undefined ? [] : [value].flat());
const queueIds = () =>
  Object.entries(resources)
    .filter(([, resource]) => resource.Type === "AWS::SQS::Queue")
    .map(([id]) => id);
const functionRoles = () =>
  Object.entries(resources)
    .filter(([, resource]) => resource.Type === "AWS::Lambda::Function")
    .map(([, fn]) => (fn.Properties.Role as { "Fn::GetAtt": [string, string] })["Fn::GetAtt"][0]);

/** The role ARNs the evaluator puts in place of `Fn::GetAtt [Role, Arn]`. */
function roleArns(): Record<string, string> {
  return Object.fromEntries(
    functionRoles().map((role) => [`${role}.Arn`, `arn:aws:iam::${ACCOUNT}:role/${role}`]),
  );
}

/** The queue a function is triggered by: its event source mapping's queue. */
function consumedQueue(role: string): string | undefined {
  const fn = Object.values(resources).find(
    (resource) =>
      resource.Type === "AWS::Lambda::Function" &&
      (resource.Properties.Role as { "Fn::GetAtt": [string, string] })["Fn::GetAtt"][0] === role,
  );
  const fnId = Object.entries(resources).find(([, resource]) => resource === fn)?.[0];
  const mapping = Object.values(resources).find(
    (resource) =>
      resource.Type === "AWS::Lambda::EventSourceMapping" &&
      (resource.Properties.FunctionName as { "Fn::GetAtt": [string, string] })["Fn::GetAtt"][0] ===
        fnId,
  );
  return (mapping?.Properties.EventSourceArn as { "Fn::GetAtt"?: [string, string] } | undefined)?.[
    "Fn::GetAtt"
  ]?.[0];
}

/** Queues that are another queue's dead-letter queue. */
function deadLetterQueues(): string[] {
  return Object.values(resources).flatMap((resource) => {
    const target = (resource.Properties?.RedrivePolicy as { deadLetterTargetArn?: unknown })
      ?.deadLetterTargetArn as { "Fn::GetAtt"?: [string, string] } | undefined;
    return target?.["Fn::GetAtt"] ? [target["Fn::GetAtt"][0]] : [];
  });
}

/** The statements of the queue policy that covers `queueId`. */
function queuePolicy(queueId: string): Statement[] {
  const policies = Object.values(resources).filter(
    (resource) =>
      resource.Type === "AWS::SQS::QueuePolicy" &&
      list(resource.Properties.Queues).some(
        (queue) => JSON.stringify(queue) === JSON.stringify({ Ref: queueId }),
      ),
  );
  expect(policies, `one queue policy for ${queueId}`).toHaveLength(1);
  const [policy] = policies;
  if (policy === undefined) throw new Error(`no queue policy for ${queueId}`);
  return (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement;
}

/**
 * Whether the queue policy lets `principal` (an IAM ARN of this or another account) send, assuming
 * its own IAM policy allows it: no Deny applies (a Deny with `ArnNotLike` on aws:PrincipalArn
 * applies unless the principal matches a pattern). Cross-account principals also need an Allow.
 */
function queueLetsSend(
  queueId: string,
  principal: string,
  roleArns: Record<string, string>,
): boolean {
  const sends = queuePolicy(queueId).filter((s) => list(s.Action).includes("sqs:SendMessage"));
  const denied = sends.some((s) => {
    if (s.Effect !== "Deny" || s.Condition?.Bool !== undefined) return false;
    const patterns = list(evaluate(s.Condition?.ArnNotLike?.["aws:PrincipalArn"], roleArns));
    if (patterns.length === 0) return true;
    return !patterns.some((pattern) => arnLike(String(pattern), principal));
  });
  if (denied) return false;
  const sameAccount = principal.split(":")[4] === ACCOUNT;
  const allowed = sends.some(
    (s) =>
      s.Effect === "Allow" &&
      list(evaluate((s.Principal as { AWS?: unknown })?.AWS)).some(
        (p) => p === principal || p === `arn:aws:iam::${principal.split(":")[4]}:root`,
      ),
  );
  return sameAccount || allowed;
}

describe("deployment security: IAM", () => {
  it("grants no action by wildcard and allows no statement without naming actions (NotAction) or resources (NotResource)", () => {
    const loose = statements().filter(
      ({ statement, owner }) =>
        statement.Effect === "Allow" &&
        owner !== "ServerlessDeploymentBucketPolicy" &&
        (list(statement.Action).some((action) => String(action).includes("*")) ||
          statement.NotAction !== undefined ||
          statement.NotResource !== undefined ||
          statement.NotPrincipal !== undefined),
    );
    expect(loose).toEqual([]);
    const everything = statements().filter(
      ({ statement }) =>
        statement.Effect === "Allow" && list(statement.Resource).some((r) => r === "*"),
    );
    expect(everything).toEqual([]);
  });

  it("grants SQS rights on this stack's own queues only", () => {
    const ours = new Set(queueIds());
    expect(ours.size).toBeGreaterThanOrEqual(5);
    const sqsGrants = statements().filter(
      ({ statement, kind }) =>
        kind === "identity" &&
        statement.Effect === "Allow" &&
        list(statement.Action).some((action) => String(action).startsWith("sqs:")),
    );
    expect(sqsGrants.length).toBeGreaterThan(0);
    for (const { owner, statement } of sqsGrants) {
      for (const target of list(statement.Resource)) {
        const id = (target as { "Fn::GetAtt"?: [string, string] })["Fn::GetAtt"]?.[0];
        expect(
          id !== undefined && ours.has(id),
          `${owner} ${statement.Sid}: ${JSON.stringify(target)}`,
        ).toBe(true);
      }
    }
  });

  it("lets only each function's own role receive, delete or hide the messages of its queue", () => {
    const consume = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility"];
    const readers = new Map<string, Set<string>>();
    for (const { owner, kind, statement } of statements()) {
      if (kind !== "identity" || statement.Effect !== "Allow") continue;
      if (!list(statement.Action).some((action) => consume.includes(String(action)))) continue;
      for (const target of list(statement.Resource)) {
        const id = (target as { "Fn::GetAtt": [string, string] })["Fn::GetAtt"][0];
        readers.set(id, (readers.get(id) ?? new Set()).add(owner));
      }
    }
    // Each consumed queue has exactly one reader, and each function role reads exactly one queue.
    for (const [queue, owners] of readers) expect([...owners], queue).toHaveLength(1);
    expect([...readers.values()].flatMap((owners) => [...owners]).sort()).toEqual(
      functionRoles().sort(),
    );
    expect(readers.has("ResultsQueue")).toBe(false);
  });
});

describe("deployment security: who may send", () => {
  it("has no resource policy that allows everyone", () => {
    const open = statements().filter(({ kind, statement }) => {
      if (kind !== "resource" || statement.Effect !== "Allow") return false;
      const principal = statement.Principal;
      return (
        principal === "*" ||
        list((principal as { AWS?: unknown })?.AWS).some((p) => p === "*") ||
        statement.NotPrincipal !== undefined
      );
    });
    expect(open).toEqual([]);
  });

  it("lets the configured producers, the retention scan and (to park its jobs) the function that consumes them send jobs, and no one else", () => {
    const roles = roleArns();
    const scan = roles["RetentionScanRole.Arn"];
    expect(scan).toBeDefined();
    expect(queueLetsSend("JobsQueue", PRODUCER, roles)).toBe(true);
    expect(queueLetsSend("JobsQueue", scan as string, roles)).toBe(true);
    expect(queueLetsSend("JobsQueue", roles["DeleteDirectoriesRole.Arn"] as string, roles)).toBe(
      true,
    );
    expect(queueLetsSend("JobsQueue", roles["RecycleActionsRole.Arn"] as string, roles)).toBe(
      false,
    );
    expect(queueLetsSend("JobsQueue", `arn:aws:iam::${ACCOUNT}:role/someone-else`, roles)).toBe(
      false,
    );
    expect(queueLetsSend("JobsQueue", OUTSIDER, roles)).toBe(false);
    // A function feeds no queue another function consumes, except the retention scan's jobs; the
    // queue it consumes itself only to park its own work or carry a scan on.
    const consumers = new Map(
      functionRoles().flatMap((role) => {
        const queue = consumedQueue(role);
        return queue === undefined ? [] : [[queue, role] as const];
      }),
    );
    for (const { owner, kind, statement } of statements()) {
      if (kind !== "identity" || !list(statement.Action).includes("sqs:SendMessage")) continue;
      for (const resource of list(statement.Resource)) {
        const queue = (resource as { "Fn::GetAtt"?: [string, string] })["Fn::GetAtt"]?.[0];
        const consumer = queue === undefined ? undefined : consumers.get(queue);
        if (consumer === undefined || consumer === owner) continue;
        expect(`${owner} → ${queue}`).toBe("RetentionScanRole → JobsQueue");
      }
    }
  });

  it("lets the configured recycle-action producers send restore and purge commands, and no one else", () => {
    const roles = roleArns();
    expect(queueLetsSend("RecycleActionsQueue", RECYCLER, roles)).toBe(true);
    expect(queueLetsSend("RecycleActionsQueue", PRODUCER, roles)).toBe(false);
    expect(
      queueLetsSend("RecycleActionsQueue", `arn:aws:iam::${ACCOUNT}:role/someone-else`, roles),
    ).toBe(false);
    expect(queueLetsSend("RecycleActionsQueue", OUTSIDER, roles)).toBe(false);
    // Of the functions, only recycleActions, which parks its own commands.
    for (const role of functionRoles()) {
      expect(
        queueLetsSend("RecycleActionsQueue", roles[`${role}.Arn`] as string, roles),
        role,
      ).toBe(role === "RecycleActionsRole");
    }
  });

  it("lets only the functions write results, and only the function whose queue a dead-letter queue serves send to it", () => {
    const roles = roleArns();
    for (const role of Object.values(roles)) {
      expect(queueLetsSend("ResultsQueue", role, roles), role).toBe(true);
    }
    expect(queueLetsSend("ResultsQueue", PRODUCER, roles)).toBe(false);
    expect(queueLetsSend("ResultsQueue", OUTSIDER, roles)).toBe(false);
    const dlqs = deadLetterQueues();
    expect(dlqs.length).toBeGreaterThanOrEqual(2);
    for (const dlq of dlqs) {
      expect(
        queuePolicy(dlq).filter((s) => s.Effect === "Allow"),
        dlq,
      ).toEqual([]);
      const grants = statements().filter(
        ({ kind, statement }) =>
          kind === "identity" &&
          statement.Effect === "Allow" &&
          list(statement.Resource).some((r) => JSON.stringify(r).includes(`"${dlq}"`)),
      );
      // The function that consumes the DLQ's source queue sends what it gives up there
      // (lib/batch/parking.ts); it may only send, and nobody else may do anything.
      const source = Object.entries(resources).find(([, resource]) =>
        JSON.stringify(resource.Properties?.RedrivePolicy ?? null).includes(`"${dlq}"`),
      )?.[0];
      for (const { owner, statement } of grants) {
        expect(consumedQueue(owner), `${owner} → ${dlq}`).toBe(source);
        expect(list(statement.Action), `${owner} → ${dlq}`).toEqual(["sqs:SendMessage"]);
      }
    }
  });

  it("lets only EventBridge, for the schedule's rule, and the retention scan's failed runs into the schedule's dead-letter queue", () => {
    const dlq = "RetentionScheduleDeadLetterQueue";
    const allows = queuePolicy(dlq).filter((s) => s.Effect === "Allow");
    expect(allows).toEqual([
      expect.objectContaining({
        Principal: { Service: "events.amazonaws.com" },
        Action: "sqs:SendMessage",
        Condition: {
          ArnEquals: { "aws:SourceArn": { "Fn::GetAtt": ["RetentionScheduleRule", "Arn"] } },
        },
      }),
    ]);
    const grants = statements().filter(
      ({ kind, statement }) =>
        kind === "identity" &&
        statement.Effect === "Allow" &&
        list(statement.Resource).some((r) => JSON.stringify(r).includes(`"${dlq}"`)),
    );
    expect(grants.map(({ owner, statement }) => [owner, statement.Action])).toEqual([
      ["RetentionScanRole", "sqs:SendMessage"],
    ]);
  });

  it("exposes no function: no function URL, no invoke permission for anyone outside", () => {
    const exposed = Object.entries(resources).filter(
      ([, resource]) =>
        resource.Type === "AWS::Lambda::Url" ||
        (resource.Type === "AWS::Lambda::Permission" &&
          !String(resource.Properties.Principal).endsWith(".amazonaws.com")),
    );
    expect(exposed).toEqual([]);
  });

  it("lets the retention scan be invoked by its schedule's rule and by the roles named in retentionInvokerRoles, nothing more", () => {
    const permissions = Object.values(resources).filter(
      (resource) => resource.Type === "AWS::Lambda::Permission",
    );
    const ruleIds = Object.entries(resources)
      .filter(([, resource]) => resource.Type === "AWS::Events::Rule")
      .map(([id]) => id);
    expect(ruleIds).toHaveLength(1);
    expect(permissions.map((p) => [p.Properties.Principal, p.Properties.SourceArn])).toEqual([
      ["events.amazonaws.com", { "Fn::GetAtt": [ruleIds[0], "Arn"] }],
    ]);
    const grants = statements().filter(({ statement }) =>
      list(statement.Action).some((action) => String(action).startsWith("lambda:")),
    );
    expect(grants.map(({ owner, kind, statement }) => [owner, kind, statement])).toEqual([
      [
        "RetentionScanInvokePolicy",
        "identity",
        {
          Sid: "InvokeRetentionScan",
          Effect: "Allow",
          Action: "lambda:InvokeFunction",
          Resource: { "Fn::GetAtt": ["RetentionScanLambdaFunction", "Arn"] },
        },
      ],
    ]);
    const policy = resources.RetentionScanInvokePolicy as Resource & { Condition?: string };
    expect(evaluate(policy.Properties.Roles)).toEqual([OPERATOR_ROLE]);
    // Created, since the roles are named: the condition compares them with "".
    expect(policy.Condition).toBe("HasRetentionInvokerRoles");
    expect(conditions.HasRetentionInvokerRoles).toEqual({
      "Fn::Not": [{ "Fn::Equals": [OPERATOR_ROLE, ""] }],
    });
  });
});
