#!/usr/bin/env bash
# Packs the project's bench for a GPU machine that has a driver but no Node.js and no registry
# (after ../shared/gpu-probe/pack.sh): Node's binary (xz), tools/bench's worker and profile
# bundled into one ESM file each by esbuild (tfjs, tfjs-backend-webgpu and the project's model,
# head and optimiser inside), the `webgpu` package's linux-x64 dawn.node, Debian's Vulkan loader
# packages, sharp's prebuilt libvips, and run.sh, which measures the issue's rows there. About 70 MB.
#
# usage (here, from the repository root, after pnpm install): tools/webgpu/pack-bench.sh OUTDIR
# on the GPU machine:  cd OUTDIR && bash run.sh [quick]    (prints rows; `quick`: one small row;
#                      ROWS="arch size batch steps;..." picks the rows)
set -euo pipefail
out=${1:?usage: tools/webgpu/pack-bench.sh OUTDIR}
root=$(cd "$(dirname "$0")/../.." && pwd)
esbuild=$(ls -d "$root"/node_modules/.pnpm/esbuild@*/node_modules/esbuild/bin/esbuild 2>/dev/null | head -1)
if [ -z "$esbuild" ]; then
  echo "pack-bench: esbuild not found under node_modules/.pnpm (run pnpm install first)" >&2
  exit 1
fi
webgpu=$(cd "$root/packages/engine" && node -p "require('path').dirname(require.resolve('webgpu/package.json'))")
mkdir -p "$out/bundle/node_modules/webgpu/dist/linux-x64"
# The workspace packages' TypeScript sources (the "source" condition); the native tfjs-node
# packages stay out (the GPU machine uses webgpu), as does dawn.node (copied beside the bundle).
"$esbuild" "$root/tools/bench/src/worker.ts" "$root/tools/bench/src/profile.ts" --bundle --platform=node --format=esm \
  --conditions=source --external:webgpu --external:sharp --external:@tensorflow/tfjs-node --external:@tensorflow/tfjs-node-gpu \
  --outdir="$out/bundle" --out-extension:.js=.mjs --log-level=warning \
  "--banner:js=import { createRequire as __cr } from 'module'; import { fileURLToPath as __fu } from 'url'; const require = __cr(import.meta.url); const __filename = __fu(import.meta.url); const __dirname = __fu(new URL('.', import.meta.url));"
cp "$webgpu/index.js" "$webgpu/package.json" "$out/bundle/node_modules/webgpu/"
# sharp (the image decoder the train and augment packages import) loads its prebuilt libvips at
# import, so it and its dependencies travel as installed packages rather than bundled.
# pnpm puts a package's dependencies beside it, in the node_modules folder that holds it.
deps=$(cd "$root/packages/augment" && node -p "require('path').resolve(require.resolve('sharp/package.json'), '../..')")
for dep in sharp @img/colour @img/sharp-linux-x64 @img/sharp-libvips-linux-x64 detect-libc semver; do
  from="$deps/$dep"
  mkdir -p "$out/bundle/node_modules/$(dirname "$dep")"
  rm -rf "$out/bundle/node_modules/$dep"
  cp -rL "$from" "$out/bundle/node_modules/$dep"
done
cp "$webgpu/dist/linux-x64/dawn.node" "$out/bundle/node_modules/webgpu/dist/linux-x64/"
[ -f "$out/node.xz" ] || xz -T0 -6 -c "$(command -v node)" >"$out/node.xz"
(cd "$out" && apt-get download libvulkan1 libglvnd0 >/dev/null 2>&1) || echo "pack-bench: warning: apt-get download of the Vulkan loader failed; the GPU machine then needs libvulkan1 installed" >&2
cat >"$out/run.sh" <<'RUN'
#!/usr/bin/env bash
# On the GPU machine, from this folder: unpacks Node and the Vulkan loader, finds the driver's
# Vulkan ICD, prints the backend line and the bench rows (train and infer img/s), then one
# profiled training step per row (kernels per step, GPU time when timestamp queries work).
set -euo pipefail
cd "$(dirname "$0")"
node=/tmp/facemask-node
[ -x "$node" ] || { xz -dc node.xz >"$node" && chmod +x "$node"; }
if ! ldconfig -p 2>/dev/null | grep -q libvulkan.so.1; then
  for f in *.deb; do dpkg -x "$f" /; done
  ldconfig || true
fi
if [ -z "${VK_DRIVER_FILES:-}" ]; then
  for icd in /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/share/vulkan/icd.d/nvidia_icd.json /etc/vulkan/icd.d/nvidia_icd.json; do
    if [ -f "$icd" ]; then export VK_DRIVER_FILES=$icd; break; fi
  done
fi
# Timestamp queries for the profile's GPU time.
export DAWN_FLAGS="${DAWN_FLAGS:-enable-dawn-features=allow_unsafe_apis}"
if [ -n "${ROWS:-}" ]; then
  IFS=';' read -r -a rows <<<"$ROWS" # e.g. ROWS="resnet18 112 64 5;resnet34 384 32 3": arch size batch steps
elif [ "${1:-}" = quick ]; then
  rows=("resnet18 112 16 3")
else
  rows=("resnet18 112 64 5" "resnet34 224 64 3" "resnet34 384 32 3" "resnet34 384 64 3")
fi
date -u +"%Y-%m-%d %H:%M UTC"
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version --format=csv,noheader || true
for row in "${rows[@]}"; do
  # shellcheck disable=SC2086
  "$node" bundle/worker.mjs webgpu $row
done
for row in "${rows[@]}"; do
  set -- $row
  echo "== profile $1 $2 px batch $3"
  TOP=12 "$node" bundle/profile.mjs webgpu "$1" "$2" "$3" 1
done
RUN
chmod +x "$out/run.sh"
du -sh "$out"
