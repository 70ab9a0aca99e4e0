# One image for every enclave service; the command picks the role.
FROM python:3.11-slim-bookworm

RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      nodejs npm util-linux iproute2 tesseract-ocr tesseract-ocr-chi-tra fonts-noto-cjk \
 && npm install -g configurable-http-proxy@5 \
 && rm -rf /var/lib/apt/lists/* /root/.npm

WORKDIR /opt/enclave
COPY pyproject.toml README.md ./
COPY enclave ./enclave
COPY deidentify ./deidentify
COPY egress_review ./egress_review
COPY datasets ./datasets
COPY hub_config ./hub_config
COPY policies ./policies
RUN pip install --no-cache-dir .

ENV ENCLAVE_HOME=/var/lib/enclave \
    ENCLAVE_POLICY=/opt/enclave/policies/nhi_centre
VOLUME ["/var/lib/enclave"]
USER 0
CMD ["enclave", "--help"]
