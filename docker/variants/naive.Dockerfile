# naive: seed 002's "Initial Dockerfile (Inefficient)", kept line for line.
# Claim it embodies (seed 002, seed 000): a general-purpose OS base is large, and copying the
# whole context before `pip install` means any edit to any file reinstalls the whole Python
# stack. There is deliberately no .dockerignore for this variant.
ARG OS_BASE=ubuntu:24.04
FROM ${OS_BASE}

# Package index settings, passed by layerbench when PyPI is unreachable (empty otherwise).
ARG PIP_INDEX_URL
ARG PIP_EXTRA_INDEX_URL
ARG PIP_TRUSTED_HOST
# Debian and Ubuntu now mark the system Python as externally managed (PEP 668); the article
# predates that. This keeps its `pip3 install` line working unchanged.
ENV PIP_BREAK_SYSTEM_PACKAGES=1

RUN apt-get update && apt-get install -y python3 python3-pip

WORKDIR /app

COPY . /app

RUN pip3 install -r requirements.txt

EXPOSE 8000

CMD ["python3", "-m", "uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "8000"]
