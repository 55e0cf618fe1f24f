#!/usr/bin/env bash
# Installs a software Vulkan device for the webgpu engine's CI suite when it is absent: Debian's
# Vulkan loader (libvulkan1, with libglvnd0) and Mesa's lavapipe from bookworm-backports. Dawn
# rejects bookworm's own Mesa 22.3 lavapipe ("Vulkan shaderUniform*ArrayDynamicIndexing
# required"); backports' Mesa 25 works (../shared/gpu-probe/README.md). Does nothing when the
# loader and a new enough lavapipe are there.
set -euo pipefail
# Mesa 25 ships one lvp_icd.json; older builds one per architecture (lvp_icd.x86_64.json).
icd_ok() { compgen -G '/usr/share/vulkan/icd.d/lvp_icd*.json' >/dev/null; }
mesa_ok() {
  # Mesa 23 or newer: the backports build (25.x at the time of writing), not bookworm's 22.3.
  local v
  v=$(dpkg-query -W -f='${Version}' mesa-vulkan-drivers 2>/dev/null) || return 1
  dpkg --compare-versions "$v" ge 23
}
if dpkg -s libvulkan1 libglvnd0 >/dev/null 2>&1 && mesa_ok && icd_ok; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-lavapipe: no Vulkan loader or lavapipe and apt-get is not available: install libvulkan1, libglvnd0 and mesa-vulkan-drivers >= 23 by hand" >&2
  exit 1
fi
codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
if [ "$codename" != bookworm ]; then
  echo "ensure-lavapipe: this script adds Debian bookworm-backports; on $codename install libvulkan1, libglvnd0 and mesa-vulkan-drivers >= 23 by hand" >&2
  exit 1
fi
sudo=""
if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
list=/etc/apt/sources.list.d/bookworm-backports.list
if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  echo "deb http://deb.debian.org/debian bookworm-backports main" | $sudo tee "$list" >/dev/null
fi
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends libvulkan1 libglvnd0 >/dev/null
$sudo apt-get install -y -qq --no-install-recommends -t bookworm-backports mesa-vulkan-drivers >/dev/null
if ! mesa_ok || ! icd_ok; then
  echo "ensure-lavapipe: mesa-vulkan-drivers $(dpkg-query -W -f='${Version}' mesa-vulkan-drivers 2>/dev/null || echo absent) installed but Dawn needs >= 23 with /usr/share/vulkan/icd.d/lvp_icd*.json" >&2
  exit 1
fi
echo "lavapipe: mesa-vulkan-drivers $(dpkg-query -W -f='${Version}' mesa-vulkan-drivers)"
