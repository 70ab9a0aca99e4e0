#!/usr/bin/env bash
# Build the enclave's container images with podman, from a Debian base made here by mmdebstrap
# (no container registry is reachable; Debian's mirror and PyPI are).
#   docker/build-images.sh            base (once per package list) + enclave image
#   REBUILD_BASE=1 docker/build-images.sh
# The base is keyed by its package list: its tag and its cached root-filesystem tarball
# ($ENCLAVE_IMAGE_CACHE, default ~/.cache/nhi-enclave/images) carry a hash of it, so a changed
# list builds a new base and an unchanged one is imported from the tarball when podman's store
# lost it. The enclave image reuses podman's layer cache (dependencies keyed on pyproject.toml).
set -euo pipefail
cd "$(dirname "$0")/.."
SUITE=bookworm
# The Debian packages every role needs: Python and pip, the sandbox (bubblewrap, libseccomp,
# setpriv from util-linux), the proxy's Node.js, OCR for DICOM cleaning, PostgreSQL and
# OpenLDAP for the db and ldap services, the remote desktop (X/VNC server, noVNC, Chromium).
PACKAGES=python3,python3-pip,python3-venv,ca-certificates,bubblewrap,libseccomp2,util-linux,\
iproute2,procps,nodejs,npm,tesseract-ocr,tesseract-ocr-chi-tra,fonts-noto-cjk,postgresql,slapd,\
ldap-utils,tigervnc-standalone-server,novnc,chromium,curl
KEY=$(printf '%s\n' "$SUITE" "$PACKAGES" minbase | sha256sum | cut -c1-12)
BASE="${ENCLAVE_BASE_IMAGE:-localhost/nhi-enclave-base:$SUITE-$KEY}"
IMAGE="${ENCLAVE_IMAGE:-localhost/nhi-enclave:dev}"
CACHE="${ENCLAVE_IMAGE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/nhi-enclave/images}"
TARBALL="$CACHE/base-$SUITE-$KEY.tar"
export CONTAINERS_CONF="${CONTAINERS_CONF:-$PWD/docker/podman/containers.conf}"

if [ "${REBUILD_BASE:-0}" = 1 ] || ! podman image exists "$BASE"; then
  if [ "${REBUILD_BASE:-0}" = 1 ] || [ ! -s "$TARBALL" ]; then
    echo "base root filesystem from Debian $SUITE (mmdebstrap) -> $TARBALL"
    mkdir -p "$CACHE"
    rm -f "$CACHE"/base-*.tar "$CACHE"/.base-*.tar  # one list in force: older tarballs go
    mmdebstrap --quiet --variant=minbase --include="$PACKAGES" \
      --customize-hook='chroot "$1" sh -c "rm -rf /var/lib/apt/lists/* /var/cache/apt/*"' \
      "$SUITE" "$CACHE/.base-$SUITE-$KEY.tar"
    mv "$CACHE/.base-$SUITE-$KEY.tar" "$TARBALL"  # complete tarballs only
  fi
  echo "base image $BASE from $TARBALL"
  podman import --change 'CMD ["/bin/bash"]' --change "LABEL org.nhi-enclave.base-key=$KEY" \
    "$TARBALL" "$BASE" >/dev/null
fi

# The build reaches PyPI and npm through this host's trust store and pip settings, mounted
# for the build only (nothing of them stays in a layer).
mounts=()
for f in /etc/ssl/certs/ca-certificates.crt /etc/pip.conf /opt/wheels /opt/pypi /opt/pypi-more; do
  [ -e "$f" ] && mounts+=(-v "$f:$f:ro")
done
# pip's download cache of this host, if any (a mount: it never enters a layer)
PIP_CACHE="${ENCLAVE_PIP_CACHE:-$HOME/.cache/pip}"
[ -d "$PIP_CACHE" ] && mounts+=(-v "$PIP_CACHE:/root/.cache/pip")
echo "enclave image $IMAGE"
podman build --network host "${mounts[@]}" --build-arg BASE="$BASE" \
  --env NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt \
  -f docker/enclave.Dockerfile -t "$IMAGE" .
# a rebuilt image leaves its predecessor untagged: drop those of this project (by label)
podman image prune -f --filter label=org.nhi-enclave.image >/dev/null || true
