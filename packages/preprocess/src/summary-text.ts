import { AGE_BANDS, GENDERS, MASK_STATES } from '@facemask/contracts';
import { type FaceCrop, type Fingerprint, type PreprocessSummary } from '@facemask/contracts';

const pad = (s: string | number, n: number) => String(s).padStart(n);

/** The one-screen report the CLI ends with. */
/**
 * `run.reused`: whether each split's pixel store was found rather than built; `run.handedOver`:
 * how many of its photos' crops came from detect's decode. They are what this run did, not facts
 * of its inputs, so they are printed here and kept out of summary.json, whose bytes are part of
 * every later task's key.
 */
export function formatSummary(
  s: PreprocessSummary,
  fp: Fingerprint,
  root: string,
  outDir: string,
  storesDir: string,
  run: { reused: Record<'train' | 'eval', boolean>; handedOver: Record<'train' | 'eval', number> },
): string {
  const t = s.totals;
  const lines: string[] = [];
  lines.push(`preprocess ${root}`);
  lines.push(`  -> ${outDir}`);
  lines.push(
    `  people ${t.people} of ${t.peopleFound} found, train photos ${t.samples} of ${t.photosFound} found, eval images ${t.evalImages}`,
  );
  const head = GENDERS.flatMap((g) => AGE_BANDS.map((b) => `${g[0]}${b}`));
  lines.push(`  ${'class counts'.padEnd(12)}${head.map((h) => pad(h, 8)).join('')}`);
  MASK_STATES.forEach((m, mi) => {
    lines.push(`  ${m.padEnd(12)}${s.classCounts.slice(mi * 6, mi * 6 + 6).map((v) => pad(v, 8)).join('')}`);
  });
  lines.push(`  folds ${s.folds} (seed ${s.seed}): people ${s.foldPeople.join('/')}, photos ${s.foldSamples.join('/')}`);
  lines.push(
    `  max class-share deviation of a fold: ${s.balance.person6WithinFold.toFixed(4)} (people, 6 classes), ${s.balance.image18WithinFold.toFixed(4)} (photos, 18 classes)`,
  );
  const c = s.corrections;
  lines.push(
    c.source === null
      ? '  corrections: none'
      : `  corrections ${c.source}: ${c.applied.length} applied, ${c.ignored.length} ignored, ${c.samplesChanged} photos relabelled`,
  );
  if (s.dropped.ageRanges.length > 0) {
    const photos = s.dropped.people.reduce((a, p) => a + p.photos, 0);
    const ranges = s.dropped.ageRanges.map(([a, b]) => `${a}-${b}`).join(', ');
    lines.push(`  dropped ages ${ranges}: ${s.dropped.people.length} people (${photos} photos)`);
  }
  lines.push(`  skipped ${s.skipped.length}, warnings ${s.warnings.length}, hidden files ignored ${s.hiddenFiles}`);
  for (const k of s.skipped.slice(0, 3)) lines.push(`    skipped ${k.path}: ${k.reason}`);
  if (s.skipped.length > 3) lines.push(`    ... ${s.skipped.length - 3} more in summary.json`);
  const cc = s.cache;
  const how = (split: 'train' | 'eval') => {
    const handed = run.handedOver[split];
    return run.reused[split] ? 'reused' : handed > 0 ? `built (${handed} crops from detect's decode)` : 'built';
  };
  const centre = cc.centerCrop === null ? 'the whole photo' : `centre crop ${cc.centerCrop}`;
  const f = cc.faceCrop;
  // the face crop's options, not the centre crop's size, shape the cache when it is set: the centre crop is only its fallback
  const crop = f ? `face crop: ${faceCropText(f.options)}` : cc.centerCrop === null ? null : centre;
  lines.push(
    `  image cache ${cc.height}x${cc.width}x${cc.channels}${crop === null ? '' : ` (${crop})`}: train ${cc.train.count} ${how('train')}, eval ${cc.eval.count} ${how('eval')}, pixels in ${storesDir}`,
  );
  if (f) {
    lines.push(`  ${centre} where no face was found:`);
    lines.push(`    ${Object.entries(f.fallbacks).map(([k, v]) => `${k} ${v.fallbacks}/${v.photos}`).join(', ')}`);
    if (f.unrecorded > 0) lines.push(`    ${f.unrecorded} cached photo(s) have no detection record (detect could not decode them, or they are newer): ${centre}`);
  }
  lines.push(`  dataset ${fp.dataset.slice(0, 16)} (${fp.files} files), options ${fp.optionsHash.slice(0, 16)}`);
  return lines.join('\n');
}

const faceCropText = (o: FaceCrop) => `margin ${o.margin}, ${o.square ? 'square' : 'box'}, align ${o.align}, border ${o.border}`;
