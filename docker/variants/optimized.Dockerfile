# optimized: seed 002's "Optimized Dockerfile (Efficient)".
# Claims it embodies: a slim Python base is smaller than a general OS base (seed 002), and
# copying requirements.txt and installing before `COPY . .` keeps a code edit from
# reinstalling the Python stack (seed 000's layer order: base, requirements, pip, source).
# Its .dockerignore is optimized.Dockerfile.dockerignore beside this file.
ARG PYTHON_BASE=python:3.11-slim-bookworm
FROM ${PYTHON_BASE}

# Package index settings, passed by layerbench when PyPI is unreachable (empty otherwise).
ARG PIP_INDEX_URL
ARG PIP_EXTRA_INDEX_URL
ARG PIP_TRUSTED_HOST

WORKDIR /app

COPY requirements.txt .
RUN pip3 install --no-cache-dir -r requirements.txt

COPY . .

EXPOSE 8000

CMD ["python3", "-m", "uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "8000"]
