# One image for every enclave service; the command picks the role.
# Built by docker/build-images.sh with podman from a Debian base made on this host by
# mmdebstrap (no registry is needed): that base already holds the Debian packages below.
ARG BASE=localhost/nhi-enclave-base:bookworm
FROM ${BASE}
# build-images.sh removes this project's untagged predecessors by this label
LABEL org.nhi-enclave.image=enclave

# configurable-http-proxy: the hub's proxy (Node.js from the Debian base)
RUN npm install -g --no-fund --no-audit configurable-http-proxy@5 \
 && rm -rf /root/.npm

WORKDIR /opt/enclave
# Dependencies first, from pyproject.toml alone, so a code change does not reinstall them.
# Into the system site (/usr/local): the session sandbox binds /usr read-only and runs the
# same Python, so a virtualenv outside /usr would be missing inside sessions.
COPY pyproject.toml README.md ./
RUN python3 -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml','rb'))['project']['dependencies']))" > /tmp/requirements.txt \
 && python3 -m pip install --break-system-packages --root-user-action=ignore -r /tmp/requirements.txt \
 && python3 -m pip uninstall -y --break-system-packages --root-user-action=ignore rfc3987-syntax \
 && rm /tmp/requirements.txt
COPY enclave ./enclave
COPY deidentify ./deidentify
COPY egress_review ./egress_review
COPY datasets ./datasets
COPY hub_config ./hub_config
COPY policies ./policies
RUN python3 -m pip install --no-cache-dir --no-deps --break-system-packages --root-user-action=ignore . \
 && { python3 -m compileall -q /usr/local/lib/python3*/dist-packages >/dev/null || true; }
# the container entry points (after the install: editing them does not redo it)
COPY docker/podman ./docker/podman

ENV ENCLAVE_HOME=/var/lib/enclave \
    ENCLAVE_POLICY=/opt/enclave/policies/nhi_centre \
    PYTHONUNBUFFERED=1 \
    ENCLAVE_TLS_HOSTS=hub,control,review,release,localhost
USER 0
CMD ["enclave", "--help"]
