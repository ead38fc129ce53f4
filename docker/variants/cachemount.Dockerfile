# cachemount: the optimized file with BuildKit's cache mount for pip, the modern answer to the
# requirements edit. A requirements edit still reruns `pip install`, but pip finds the packages
# it downloaded before in the cache mount, which outlives the layer, instead of downloading
# them again; the image does not carry the cache. BuildKit only (RUN --mount); written without
# a `# syntax=` line, so that the Engine's built-in Dockerfile frontend reads it (a frontend
# image cannot be pulled on a closed machine).
# Its .dockerignore is cachemount.Dockerfile.dockerignore beside this file.
ARG PYTHON_BASE=python:3.11-slim-bookworm
FROM ${PYTHON_BASE}

# Package index settings, passed by layerbench when PyPI is unreachable (empty otherwise).
ARG PIP_INDEX_URL
ARG PIP_EXTRA_INDEX_URL
ARG PIP_TRUSTED_HOST

WORKDIR /app

COPY requirements.txt .
RUN --mount=type=cache,target=/root/.cache/pip pip3 install -r requirements.txt

COPY . .

EXPOSE 8000

CMD ["python3", "-m", "uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "8000"]
