/**
 * The SMH simulator: a real HTTP server on 127.0.0.1 that follows the documented SMH business API
 * (smh-api.md), with seeded data, configurable faults and inspection under `/_sim`.
 * It never imports the client (`lib/smh`): it models the documented service, not our client.
 * Full reference: docs/simulator.md.
 */

export { ERROR_CATALOG, type ErrorCode } from "./errors.ts";
export {
  DEFAULT_FAULTS,
  type Faults,
  type FaultsPatch,
  faultsPatchSchema,
  faultsSchema,
  parseFaultsPatch,
} from "./faults.ts";
export { SIMULATOR_HOST } from "./http/server.ts";
export type { CallRecord, CallStats, FaultKind } from "./inspection/call-log.ts";
export type {
  GroundTruth,
  LibrarySummary,
  RecycledItemDump,
  SpaceSummary,
  TreeDump,
} from "./inspection/dumps.ts";
export { INSPECTION_ROUTES } from "./inspection/routes.ts";
export {
  type Behaviour,
  type BehaviourPatch,
  behaviourPatchSchema,
  behaviourSchema,
  DEFAULT_BEHAVIOUR,
  parseBehaviourPatch,
} from "./options.ts";
export { DEFAULT_FAULT_ROUTES, ROUTE_NAMES, type RouteName } from "./route-names.ts";
export { DEMO, demoSeed, emptySeed } from "./seeds/demo.ts";
export { parseSeed, type Seed, type SeedInput, seedSchema } from "./seeds/schema.ts";
export type {
  IssueTokenOptions,
  LibraryCredentials,
  Simulator,
  SimulatorOptions,
  TimeInput,
} from "./simulator.ts";
export { startSimulator } from "./start.ts";
export type { DeletionRecord, PurgeRecord, RestoreRecord } from "./state/applied-log.ts";
export { GRANTS, type Grant } from "./state/grants.ts";
export type { TaskRecord } from "./state/tasks.ts";
export type { TokenLogEntry } from "./state/tokens.ts";
