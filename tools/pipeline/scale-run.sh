#!/usr/bin/env bash
# The full-size run behind the README's scale table: a synthetic set of PEOPLE people (7 photos each
# at 384x512), then the whole pipeline through Nx, one target at a time: detect (BlazeFace, for the
# face crop), preprocess (150x150 face crops, 5 person-grouped folds), train:features (face-api's
# ResNet-29 with its shipped weights, features cached once), every fold of round 1 (EPOCHS epochs on
# the cached features), the soft-vote ensemble, submit and the report, on the native TensorFlow
# engine. For each step the wall time, the peak resident memory (GNU time: the largest process of
# the step's tree, Nx included) and the machine's load before and after; at the end the disk used
# and the submission's rows against the eval photos of info.csv.
#
#   tools/pipeline/scale-run.sh PEOPLE [keep]      e.g. 4500 (31,500 photos, the competition's size)
#
# Everything goes to data/scale-PEOPLE/ (inside the workspace: Nx caches outputs there only) and is
# deleted at the end unless the second argument is "keep". The figures go to stdout and, with every
# stage's own output, to LOG (default data/scale-PEOPLE.log, outside the deleted folder). Needs GNU
# time (/usr/bin/time), the native engine (pnpm native:install) and ~5 GB free at 4500.
set -euo pipefail
people=${1:?usage: scale-run.sh PEOPLE [keep]}
keep=${2:-}
epochs=${EPOCHS:-3}
cd "$(dirname "$0")/../.."
ws=$PWD
dir=$ws/data/scale-$people
log=${LOG:-$ws/data/scale-$people.log}
rm -rf "$dir"
mkdir -p "$dir" "$(dirname "$log")"
: >"$log"
export NX_CACHE_DIRECTORY=$dir/nx-cache NX_WORKSPACE_DATA_DIRECTORY=$dir/nx-data NX_DAEMON=false NX_NO_CLOUD=true FORCE_COLOR=0
export TFJS_BACKEND=tensorflow FACEMASK_CONFIG=$dir/config.json
cat >"$FACEMASK_CONFIG" <<EOF
{
  "name": "scale-$people",
  "seed": 42,
  "backend": "tensorflow",
  "data": { "root": "$dir/data", "work": "$dir/work", "evalLabels": "$dir/data/eval_labels.csv" },
  "preprocess": { "oldAgeThreshold": 58, "folds": 5, "centerCrop": 384, "height": 150, "width": 150, "faceCrop": { "margin": 0.1 } },
  "detect": { "detectors": [{ "name": "blazeface", "minScore": 0.2 }], "minFaceSize": 0.25 },
  "augment": { "train": [{ "type": "hflip", "p": 0.5 }], "tta": true },
  "model": { "arch": "faceapi_resnet29", "pretrained": "face-api", "head": "multi", "featureLayers": ["conv32_3.out", "conv64_3.out", "conv128_2.out"], "featureBands": 3, "featureNorm": true },
  "loss": { "name": "label_smoothing", "smoothing": 0.1, "smoothingKind": "competition" },
  "optim": { "name": "adamw", "lr": 0.003, "weightDecay": 0.0001 },
  "scheduler": { "name": "cosine", "warmupEpochs": 1 },
  "train": { "epochs": $epochs, "batchSize": 64, "mode": "features", "sampler": "balanced", "folds": null },
  "ensemble": { "method": "soft" },
  "pseudo": { "enabled": false }
}
EOF

say() { echo "$*" | tee -a "$log"; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
# The stage's own seconds, from the run record it writes (the rest of a step's wall time is Nx).
stage() { node -e 'const r=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")).data; console.log(`  stage itself ${r.seconds.toFixed(0)} s (run.json)`)' "$1" | tee -a "$log"; }

step() { # label command...
  local label=$1
  shift
  local before
  before=$(loadavg)
  echo "=== $label: $* ($(date -u +%FT%TZ), load $before)" >>"$log"
  if ! /usr/bin/time -v -o "$dir/time.txt" "$@" >>"$log" 2>&1; then
    cat "$dir/time.txt" >>"$log" 2>/dev/null || true
    say "$label FAILED at $(date -u +%FT%TZ): see $log"
    exit 1
  fi
  cat "$dir/time.txt" >>"$log"
  local wall rss
  wall=$(grep 'Elapsed (wall clock)' "$dir/time.txt" | awk '{print $NF}')
  rss=$(grep 'Maximum resident set size' "$dir/time.txt" | awk '{printf "%.0f MB", $NF/1024}')
  say "$(printf '%-44s wall %-10s peak RSS %-8s load %s -> %s' "$label" "$wall" "$rss" "$before" "$(loadavg)")"
}
size() { du -sb "$1" 2>/dev/null | awk '{printf "%.2f GB", $1/1e9}'; }

say "scale run: $people people ($((people * 7)) photos at 384x512), $epochs epochs, $(nproc) cores, $(free -g | awk '/^Mem:/{print $2}') GB, $(date -u +%FT%TZ)"
say "tree: $(git rev-parse --short HEAD)$(git diff --quiet HEAD || echo ' with uncommitted changes')"
say "free disk before: $(df -h "$ws" | awk 'NR==2{print $4}')"
step "synth $people people" npx tsx --conditions=source tools/synth/src/cli.ts --out "$dir/data" --people "$people" --quiet
# One Nx target as a step, then the stage's own seconds from the run record under work/.
target() { # label target run-record
  step "$1" npx nx run "$2" --outputStyle=stream
  stage "$dir/work/$3/run.json"
}
target "detect (nx run detect:run)" detect:run detect
target "preprocess 150x150 face crop" preprocess:run preprocess
target "train:features" train:features train/features
for k in 0 1 2 3 4; do target "train fold $k, $epochs epochs" "train:round1-fold-$k" "train/round1/fold-$k"; done
target "ensemble:round1" ensemble:round1 ensemble/round1
target "submit:run" submit:run submission
target "report:run" report:run report
step "report:run again, unchanged (Nx cache)" npx nx run report:run --outputStyle=stream
rows=$(($(wc -l <"$dir/work/submission/submission.csv") - 1))
evals=$(($(wc -l <"$dir/data/eval/info.csv") - 1))
say "submission: $rows rows, info.csv: $evals eval photos ($(awk -v a="$evals" -v b=$((people * 7)) 'BEGIN{printf "%.1f", 100*a/b}')% of the photos)"
cmp -s <(cut -d, -f1 "$dir/work/submission/submission.csv") <(cut -d, -f1 "$dir/data/eval/info.csv") && say "submission ImageIDs: info.csv's, in its order" || say "submission ImageIDs DIFFER from info.csv's"
grep -E '^ensemble: out-of-fold|^submit: (wrote|eval labels)' "$log" | sed 's/^/  /' | tee -a "$log" || true
say "disk: data $(size "$dir/data"), work $(size "$dir/work") (pixel stores $(size "$dir/work/.cache/images"), features $(size "$dir/work/train/features"), folds $(size "$dir/work/train/round1")), Nx cache $(size "$NX_CACHE_DIRECTORY"), all $(size "$dir")"
say "done $(date -u +%FT%TZ)"
if [ "$keep" != keep ]; then rm -rf "$dir"; fi
