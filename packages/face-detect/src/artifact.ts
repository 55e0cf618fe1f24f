// The detections artifact is written by the detect stage and read by preprocess: its schema lives
// in contracts (artifacts/detect.ts), re-exported here for the library's users.
export {
  detectFailureSchema,
  detectionsArtifact,
  detectionsSchema,
  modelIdentitySchema,
  type DetectFailure,
  type Detections,
  type DetectionsInput,
  type ModelIdentity,
} from '@facemask/contracts/detect';
