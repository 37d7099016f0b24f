export { SIDES, DIRECTIONS, sourceOf, targetOf, type Side, type Direction } from './sides';
export { STAGES, STAGE_RULES, isStage, isSafeMethod, audienceOf, serviceTakesWrites, serviceAnswers, type Stage, type Audience, type StageRule } from './stages';
export { decideTarget, stageAllows, type RoutingDecision } from './stage-decision';
export { requiredChecks, describeCheck, readsPercent, writesPercent, type GateCheck, type StageSetting } from './stage-gates';
export {
  JSON_PAYLOAD,
  type FeatureDefinition,
  type FlagConstraint,
  type FlagPayload,
  type FlagStrategy,
  type FlagVariant,
  type FlagsDocument,
} from './flags/flag-definition';
export {
  stageFromPayload,
  stagePayloadProblem,
  namesAStage,
  stageVariant,
  stageOfDefinition,
  rolloutOfDefinition,
  flagApproval,
  approvalOfDefinition,
  type ApprovedFlag,
} from './flags/stage-payload';
export { flagsDocumentSchema, parseFlagsDocument, buildFlagsDocument, type CapabilityFlagSetting } from './flags/flags-document';
export { interpolateEnv } from './interpolate-env';
export { parsePattern, patternShape, type PatternSegment } from './route-pattern';
export {
  capabilityManifestSchema,
  routeSchema,
  manifestFlag,
  routeMethods,
  CAPABILITY_NAME,
  type CapabilityManifest,
  type ManifestRoute,
  type MappingReference,
  type ModuleReference,
} from './manifest/manifest-schema';
export { formatManifestProblem, type ManifestProblem } from './manifest/manifest-problem';
export { parseManifest, type ManifestParse } from './manifest/parse-manifest';
export {
  loadManifests,
  parseManifestTexts,
  readManifestTexts,
  manifestFiles,
  type LoadedManifest,
  type ManifestLoad,
  type ManifestText,
  type LoadOptions,
} from './manifest/load-manifests';
export { INTERPOLATED_FIELDS, resolveDatabaseUrls, resolveManifestUrls, type InterpolatedField, type ManifestUrls } from './manifest/manifest-urls';
export { defaultManifestsDir } from './manifest/default-manifests-dir';
