# f1 — seed 001's first shared tier: the OS (with Python) plus security tools.
#   seed: FROM python3 / RUN apt install -y some-security-framework
ARG OS_BASE=python:3.11-slim-bookworm
FROM ${OS_BASE}
ARG SECURITY_PACKAGES="ca-certificates openssl gnupg"
RUN apt-get update && apt-get install -y --no-install-recommends ${SECURITY_PACKAGES} && rm -rf /var/lib/apt/lists/*
