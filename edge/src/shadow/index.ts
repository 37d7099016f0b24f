export type { CapturedResponse, ShadowJob, ShadowOptions, ShadowMirror } from './shadow-types';
export { createShadowMirror } from './shadow-mirror';
