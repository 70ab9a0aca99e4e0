#!/usr/bin/env bash
# Install everything the enclave and its tests need on a fresh Debian machine with Python 3.11.
# Safe to re-run: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  postgresql            # production state-DB path; tests start their own cluster
  slapd ldap-utils      # real OpenLDAP for the LDAP authenticator tests
  chromium chromium-driver  # headless browser tests of the web pages
  tesseract-ocr tesseract-ocr-chi-tra  # burned-in text in DICOM pixels
  bubblewrap libseccomp2 # the session sandbox (bwrap) and its seccomp filter compiler
  iproute2 util-linux   # ip, unshare, setpriv for the session sandbox
  fonts-noto-cjk        # Traditional Chinese in charts and screenshots
  tigervnc-standalone-server novnc  # remote-access sessions: X+VNC server, HTML5 viewer
  # container images and the compose deployment test (tests/docker/test_podman_deployment.py);
  # podman-compose itself comes from PyPI ('.[test]'): Debian's 1.0 lacks fixed addresses
  podman runc netavark iptables catatonit mmdebstrap
)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
# configurable-http-proxy needs Node.js; use the machine's if it has one.
command -v npm >/dev/null || missing+=(nodejs npm)
if ((${#missing[@]})); then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  echo "installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v configurable-http-proxy >/dev/null; then
  echo "installing configurable-http-proxy (npm)"
  npm install -g --silent configurable-http-proxy@5 >/dev/null 2>&1 || npm install -g configurable-http-proxy
fi

python3 -m pip install -q --disable-pip-version-check -e '.[test]'
# jsonschema (via jupyter_events) imports rfc3987-syntax, if present, only to check the "iri"
# string format, and that import builds an Earley parser: about 1 CPU-second in every JupyterHub
# and every session's Jupyter server start.  Nothing here validates IRIs; without it jsonschema
# leaves that one format unchecked.  (docker/enclave.Dockerfile does the same.)
python3 -m pip uninstall -q -y --disable-pip-version-check rfc3987-syntax 2>/dev/null || true

# ACRO (test oracle) pins pandas<=2.3.3: its own virtualenv, from pyproject's acro-oracle list.
ACRO_VENV="${ACRO_VENV:-/opt/enclave-acro}"
if [ ! -x "$ACRO_VENV/bin/python" ] || ! "$ACRO_VENV/bin/python" -c "import acro, pyarrow" 2>/dev/null; then
  echo "installing ACRO into $ACRO_VENV (test oracle)"
  python3 -m venv "$ACRO_VENV"
  "$ACRO_VENV/bin/pip" install -q --disable-pip-version-check \
    $(python3 -c "import tomllib;print(' '.join(tomllib.load(open('pyproject.toml','rb'))['project']['optional-dependencies']['acro-oracle']))")
fi
