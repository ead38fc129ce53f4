# f3 — seed 001's third shared tier: the model's dependencies and the model itself.
#   seed: RUN pip install some-dependences / RUN wget s3.xx.com/some-path/dust.model
# The model is MODEL_BYTES of random bytes (weights do not compress either); the scale sets it.
ARG F2_IMAGE
FROM ${F2_IMAGE}
ARG PIP_INDEX_URL
ARG PIP_EXTRA_INDEX_URL
ARG PIP_TRUSTED_HOST
ARG MODEL_PACKAGES="fastapi uvicorn"
RUN pip3 install --no-cache-dir ${MODEL_PACKAGES}
ARG MODEL_BYTES=30000000
RUN mkdir -p /models && head -c ${MODEL_BYTES} /dev/urandom > /models/model.bin
