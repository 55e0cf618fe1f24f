import type { ExtraBackbone } from '@facemask/contracts';
import type { LayersModel, SymbolicTensor } from '@tensorflow/tfjs-layers';
import { FACERES_PREFIX, faceresBranch, loadFaceresWeights, setFaceresInputAdapter } from './faceres.ts';

/** What the extra backbones read of the model options (registry's ModelOptions, without importing the registry that imports this). */
interface ExtraBackboneOptions {
  extraBackbones: readonly ExtraBackbone[];
  inputMean: readonly number[];
  inputStd: readonly number[];
}

interface ExtraBackbonePart {
  /** Every layer of the branch has a name starting with this, and only those. */
  prefix: string;
  build(x: SymbolicTensor): SymbolicTensor;
  load(model: LayersModel, o: ExtraBackboneOptions): Promise<void>;
}

/** How each of contracts' EXTRA_BACKBONES is built and loaded (a name missing here does not compile). */
const EXTRA_BACKBONE_PARTS: Record<ExtraBackbone, ExtraBackbonePart> = {
  faceres: {
    prefix: FACERES_PREFIX,
    build: faceresBranch,
    async load(model, o) {
      setFaceresInputAdapter(model, o.inputMean, o.inputStd);
      await loadFaceresWeights(model);
    },
  },
};

const PREFIXES = Object.values(EXTRA_BACKBONE_PARTS).map((p) => p.prefix);

/**
 * Whether a layer belongs to an extra backbone. Such a layer loads its own weights whatever
 * `pretrained` says, so the main backbone's loaders (torch state_dict, face-api) pass it by, and
 * it stays frozen in every train.mode.
 */
export function isExtraBackboneLayer(name: string): boolean {
  return PREFIXES.some((p) => name.startsWith(p));
}

/** The features of model.extraBackbones on the model's input, in the order the config lists them. */
export function extraBackbones(x: SymbolicTensor, o: ExtraBackboneOptions): SymbolicTensor[] {
  return o.extraBackbones.map((name) => EXTRA_BACKBONE_PARTS[name].build(x));
}

/** Loads each of model.extraBackbones' weights into a built model. */
export async function loadExtraBackbones(model: LayersModel, o: ExtraBackboneOptions): Promise<void> {
  for (const name of o.extraBackbones) await EXTRA_BACKBONE_PARTS[name].load(model, o);
}
