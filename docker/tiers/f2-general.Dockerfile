# f2 — seed 001's second shared tier: general tools (the article installs Anaconda; here a real
# Python scientific stack from the package index, its size set by the scenario's scale).
#   seed: FROM abc.hub.com/libary/python3 / RUN wget anaconda12.sh && ./anaconda12.sh
ARG F1_IMAGE
FROM ${F1_IMAGE}
ARG PIP_INDEX_URL
ARG PIP_EXTRA_INDEX_URL
ARG PIP_TRUSTED_HOST
ARG GENERAL_PACKAGES="numpy pandas"
RUN pip3 install --no-cache-dir ${GENERAL_PACKAGES}
