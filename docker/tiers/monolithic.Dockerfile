# The same app built the way seed 001 warns against: every image from the OS base alone, its
# own copy of every tier. Built without cache, App1 and App2 then share only the OS layer:
# identical content in different layers, which a host holding App1 downloads again for App2.
ARG OS_BASE=python:3.11-slim-bookworm
FROM ${OS_BASE}
ARG PIP_INDEX_URL
ARG PIP_EXTRA_INDEX_URL
ARG PIP_TRUSTED_HOST
ARG SECURITY_PACKAGES="ca-certificates openssl gnupg"
RUN apt-get update && apt-get install -y --no-install-recommends ${SECURITY_PACKAGES} && rm -rf /var/lib/apt/lists/*
ARG GENERAL_PACKAGES="numpy pandas"
RUN pip3 install --no-cache-dir ${GENERAL_PACKAGES}
ARG MODEL_PACKAGES="fastapi uvicorn"
RUN pip3 install --no-cache-dir ${MODEL_PACKAGES}
ARG MODEL_BYTES=30000000
RUN mkdir -p /models && head -c ${MODEL_BYTES} /dev/urandom > /models/model.bin
ARG APP=app1
COPY apps/${APP}/ /workspace/code/
ARG ASSET_BYTES=0
RUN head -c ${ASSET_BYTES} /dev/urandom > /workspace/code/assets.bin
WORKDIR /workspace/code
EXPOSE 8000
CMD ["python3", "-m", "uvicorn", "main:app", "--host", "0.0.0.0", "--port", "8000"]
