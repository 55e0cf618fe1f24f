/**
 * The model architectures a config may name (model.arch). The registry that builds them lives in
 * @facemask/model-resnet, which needs tfjs; contracts stays tfjs-free, so the names are kept here
 * and the registry is checked against them (at compile time and by its tests).
 */
export const MODEL_ARCHS = ['resnet18', 'resnet34', 'resnet50', 'faceapi_resnet29'] as const;
export type ModelArch = (typeof MODEL_ARCHS)[number];

export const isModelArch = (name: string): name is ModelArch => (MODEL_ARCHS as readonly string[]).includes(name);
