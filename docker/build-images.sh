#!/usr/bin/env bash
# Build the enclave's container images with podman, from a Debian base made here by mmdebstrap
# (no container registry is reachable; Debian's mirror and PyPI are).
#   docker/build-images.sh            base (once) + enclave image
#   REBUILD_BASE=1 docker/build-images.sh
set -euo pipefail
cd "$(dirname "$0")/.."
BASE="${ENCLAVE_BASE_IMAGE:-localhost/nhi-enclave-base:bookworm}"
IMAGE="${ENCLAVE_IMAGE:-localhost/nhi-enclave:dev}"
# The Debian packages every role needs: Python and pip, the sandbox (bubblewrap, libseccomp,
# setpriv from util-linux), the proxy's Node.js, OCR for DICOM cleaning, PostgreSQL and
# OpenLDAP for the db and ldap services, the remote desktop (X/VNC server, noVNC, Chromium).
PACKAGES=python3,python3-pip,python3-venv,ca-certificates,bubblewrap,libseccomp2,util-linux,\
iproute2,procps,nodejs,npm,tesseract-ocr,tesseract-ocr-chi-tra,fonts-noto-cjk,postgresql,slapd,\
ldap-utils,tigervnc-standalone-server,novnc,chromium,curl
export CONTAINERS_CONF="${CONTAINERS_CONF:-$PWD/docker/podman/containers.conf}"

if [ "${REBUILD_BASE:-0}" = 1 ] || ! podman image exists "$BASE"; then
  echo "base image $BASE from Debian bookworm (mmdebstrap)"
  mmdebstrap --quiet --variant=minbase --include="$PACKAGES" \
    --customize-hook='chroot "$1" sh -c "rm -rf /var/lib/apt/lists/* /var/cache/apt/*"' \
    bookworm - | podman import --change 'CMD ["/bin/bash"]' - "$BASE" >/dev/null
fi

# The build reaches PyPI and npm through this host's trust store and pip settings, mounted
# for the build only (nothing of them stays in a layer).
mounts=()
for f in /etc/ssl/certs/ca-certificates.crt /etc/pip.conf /opt/wheels /opt/pypi /opt/pypi-more; do
  [ -e "$f" ] && mounts+=(-v "$f:$f:ro")
done
# pip's download cache of this host, if any (a mount: it never enters a layer)
[ -d "$HOME/.cache/pip" ] && mounts+=(-v "$HOME/.cache/pip:/root/.cache/pip")
echo "enclave image $IMAGE"
podman build --network host "${mounts[@]}" --build-arg BASE="$BASE" \
  --env NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt \
  -f docker/enclave.Dockerfile -t "$IMAGE" .
