# multistage: seed 000's "advanced extension" and seed 002's "Not Utilizing Multi-Stage
# Builds": a builder stage installs the stack into a virtual environment; the runtime stage
# copies only that environment and the app, leaving build tooling and caches behind.
# The layer order of `optimized` is kept, so a code edit still reuses the installed stack.
ARG PYTHON_BASE=python:3.11-slim-bookworm

FROM ${PYTHON_BASE} AS builder
# Package index settings, passed by layerbench when PyPI is unreachable (empty otherwise).
ARG PIP_INDEX_URL
ARG PIP_EXTRA_INDEX_URL
ARG PIP_TRUSTED_HOST
RUN python3 -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

FROM ${PYTHON_BASE} AS runtime
ENV PATH=/opt/venv/bin:$PATH
COPY --from=builder /opt/venv /opt/venv
WORKDIR /app
COPY . .
EXPOSE 8000
CMD ["python", "-m", "uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "8000"]
