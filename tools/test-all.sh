#!/usr/bin/env bash
# Sets up everything the tests need on a fresh Debian machine, then lints, builds and runs every test. Run it as
# root (or with sudo): the offline install tests run the recipes' steps in namespaces with a scratch /etc.
# Real peers, not mocks: mosquitto (IoT Core stand-in), socat (serial pseudo-terminals), udev (serialport's
# port listing), GStreamer (camera/video input), moto_server (AWS services; from the system Python), and
# qemu-user-static with the arm64 C and C++ runtimes (the aarch64 artifacts' offline tests run them emulated,
# through binfmt_misc), and Chromium (the live preview page's browser test drives it with playwright-core).
set -euo pipefail
cd "$(dirname "$0")/.."

apt_packages=(mosquitto socat udev gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good openssl
  qemu-user-static libc6-arm64-cross libstdc++6-arm64-cross faketime chromium)
missing=()
for pkg in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing Debian packages: ${missing[*]}"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# mosquitto's package starts a system broker on port 1883; the tests start their own on free ports.
command -v moto_server >/dev/null || { echo "moto_server not found: install moto[server] in the system Python (pip install 'moto[server]')" >&2; exit 1; }

npm ci --no-audit --no-fund
export NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false
# Nothing is replayed from an Nx cache an earlier run left on this machine; within this run each target runs
# once (the package targets serve both the offline install tests and the benchmarks).
npx nx reset >/dev/null
npm test              # lint and format check, type check, every test
npm run bench:smoke   # figures not checked, only that every benchmark runs (about 15 s)
