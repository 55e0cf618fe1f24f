#!/usr/bin/env bash
# The full-size run behind the README's scale table: a synthetic set of PEOPLE people (7 photos each
# at 384x512), then through Nx preprocess and one training fold (1 epoch, the demo's width-1/4
# ResNet-18 at 64x64), and preprocess at the seed recipe's 384x384; for each step the wall time, the
# peak resident memory (GNU time: the largest process of the step's tree) and the machine's load,
# then the disk used by the data, the work folder, the pixel stores and Nx's cache.
#
#   packages/preprocess/scale-run.sh PEOPLE [KEEP]     e.g. 4500 (31,500 photos) or 500 (3,500)
#
# Everything goes to data/scale-PEOPLE/ (inside the workspace: Nx caches outputs there only) and is
# deleted at the end unless KEEP is "keep". Needs GNU time (/usr/bin/time) and ~20 GB free at 4500.
set -euo pipefail
people=${1:?usage: scale-run.sh PEOPLE [keep]}
keep=${2:-}
cd "$(dirname "$0")/../.."
ws=$PWD
dir=$ws/data/scale-$people
mkdir -p "$dir"
log=$dir/scale.log
: >"$log"
export NX_CACHE_DIRECTORY=$dir/nx-cache NX_DAEMON=false NX_NO_CLOUD=true FORCE_COLOR=0
# Each config gets its own project-graph folder (the graph depends on the config).
nxdata() { export NX_WORKSPACE_DATA_DIRECTORY=$dir/nx-data-$1; }

config() { # name height width
  cat >"$dir/$1.json" <<EOF
{
  "name": "scale-$people-$1",
  "seed": 42,
  "data": { "root": "$dir/data", "work": "$dir/work" },
  "preprocess": { "folds": 5, "centerCrop": 384, "height": $2, "width": $3 },
  "augment": { "train": [{ "type": "hflip", "p": 0.5 }], "tta": false },
  "model": { "arch": "resnet18", "widthMultiplier": 0.25, "head": "multi" },
  "optim": { "name": "adamw", "lr": 0.003, "weightDecay": 0.0001 },
  "scheduler": { "name": "none" },
  "train": { "epochs": 1, "batchSize": 32, "folds": [0] }
}
EOF
}
config c64 64 64
config c384 384 384

# The stage's own seconds, from the run record it writes (the rest of a step's wall time is Nx).
stage() { node -e 'const r=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")).data; console.log(`  stage itself ${r.seconds.toFixed(0)} s (run.json)`)' "$1"; }

step() { # label command...
  local label=$1
  shift
  local load
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  /usr/bin/time -v -o "$dir/time.txt" "$@" >>"$log" 2>&1 || { echo "$label failed: see $log" >&2; tail -30 "$log" >&2; exit 1; }
  local wall rss
  wall=$(grep 'Elapsed (wall clock)' "$dir/time.txt" | awk '{print $NF}')
  rss=$(grep 'Maximum resident set size' "$dir/time.txt" | awk '{printf "%.0f MB", $NF/1024}')
  printf '%-40s wall %-10s peak RSS %-9s load before %s\n' "$label" "$wall" "$rss" "$load"
}
size() { du -sb "$1" 2>/dev/null | awk '{printf "%.2f GB", $1/1e9}'; }

echo "scale run: $people people ($((people * 7)) photos), $(nproc) cores, $(date -u +%FT%TZ)"
step "synth $people people" npx tsx --conditions=source tools/synth/src/cli.ts --out "$dir/data" --people "$people" --quiet
nxdata c64
export FACEMASK_CONFIG=$dir/c64.json
step "preprocess 64x64 (nx run preprocess:run)" npx nx run preprocess:run --outputStyle=stream
stage "$dir/work/preprocess/run.json"
step "train fold 0, 1 epoch (nx run train:round1-fold-0)" npx nx run train:round1-fold-0 --outputStyle=stream
stage "$dir/work/train/round1/fold-0/run.json"
echo "  data $(size "$dir/data"), work $(size "$dir/work") of which pixel stores $(size "$dir/work/.cache/images"), Nx cache $(size "$NX_CACHE_DIRECTORY")"
step "preprocess again, unchanged (Nx cache)" npx nx run preprocess:run --outputStyle=stream
nxdata c384
export FACEMASK_CONFIG=$dir/c384.json
step "preprocess 384x384 (nx run preprocess:run)" npx nx run preprocess:run --outputStyle=stream
stage "$dir/work/preprocess/run.json"
echo "  data $(size "$dir/data"), work $(size "$dir/work") of which pixel stores $(size "$dir/work/.cache/images"), Nx cache $(size "$NX_CACHE_DIRECTORY")"
grep -E 'image cache .*(built|reused)|removed .* image store|epoch 1/1' "$log" | sed 's/^[a-z]*: *//' || true
if [ "$keep" != keep ]; then rm -rf "$dir"; fi
