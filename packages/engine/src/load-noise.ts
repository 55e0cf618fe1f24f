/**
 * The lines TensorFlow's C library prints to stderr every time it loads, which say nothing about
 * this run: absl's preamble (everything goes to stderr before absl::InitializeLog, which the
 * library never calls), oneDNN being on (it is the default) and the CPU features the build could
 * have used. Matched by their whole text, not by file or severity: port.cc also warns about a bad
 * TF_ENABLE_ONEDNN_OPTS, and that warning, a load error or a CUDA line must always get through.
 */
// absl's prefix: severity, MMDD, hh:mm:ss.micros (the seconds count from the epoch before
// InitializeLog), thread id, file:line.
const PREFIX = String.raw`I\d{4} \d{2}:\d{2}:\d+(?:\.\d+)?\s+\d+ `;

const NOISE: RegExp[] = [
  /^WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR$/,
  new RegExp(
    `^${PREFIX}port\\.cc:\\d+\\] oneDNN custom operations are on\\. You may see slightly different numerical results due to floating-point round-off errors from different computation orders\\. To turn them off, set the environment variable \`TF_ENABLE_ONEDNN_OPTS=0\`\\.$`,
  ),
];

const CPU_FEATURES = new RegExp(`^${PREFIX}cpu_feature_guard\\.cc:\\d+\\] This TensorFlow binary is optimized to use available CPU instructions in performance-critical operations\\.$`);
// Its second line, dropped only right after the first.
const CPU_FEATURES_LIST = /^To enable the following instructions: [A-Z0-9_ ]+, in other operations, rebuild TensorFlow with the appropriate compiler flags\.$/;

/** `text` (captured stderr) without the known start-up lines; every other line, in order, unchanged. */
export function dropLoadNoise(text: string): string {
  const lines = text.split('\n');
  const kept: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (NOISE.some((re) => re.test(line))) continue;
    if (CPU_FEATURES.test(line)) {
      if (CPU_FEATURES_LIST.test(lines[i + 1] ?? '')) i++;
      continue;
    }
    kept.push(line);
  }
  return kept.join('\n');
}
