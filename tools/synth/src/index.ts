export { parseSynthArgs, synthCommand, SynthArgError, SynthHelp } from './args.ts';
export { runSynthCommand, type CommandIo } from './command.ts';
export {
  generateDataset,
  checkSynthOptions,
  classOf,
  DEFAULT_SYNTH_OPTIONS,
  MARKER_FILE,
  FACE_BOXES_FILE,
  GENERATOR_VERSION,
  readSynthMarker,
  matchesSynthOptions,
  type SynthMarker,
  type SynthOptions,
  type SynthSummary,
  type EvalImage,
} from './generate.ts';
export { validateLayout, LayoutError, type LayoutReport, type LayoutOptions } from './layout.ts';
export { evalImageName, parseFolderName, trainFolderName, RACE, TRAIN_CSV_COLUMNS, INFO_CSV_COLUMNS, type ParsedFolder } from './names.ts';
export { drawPerson, splitPeople, personFolderId, AGE_BAND_SHARES, FEMALE_SHARE, CUE_STRENGTHS, type CueStrength, type Person, type Look } from './person.ts';
export { drawPhotoParams, MASK_STYLES, type PhotoParams, type MaskDesign, type MaskPlacement, type MaskStyle } from './photo-params.ts';
export { renderPhoto, applyCamera, type RenderOptions } from './raster.ts';
export { sceneSvg } from './scene-svg.ts';
export { faceBox, HEAD_TOP_Y, FACE_SQUARE_MARGIN, type FaceBox } from './face-box.ts';
export { formatSummary } from './summary.ts';
