// `@facemask/contracts/detect`: the detection options, records and artifact schema without any Node
// module, for the face-detect library's browser-safe entry (a kiosk page bundles it).
export * from './config/detect.ts';
export * from './artifacts/detect.ts';
