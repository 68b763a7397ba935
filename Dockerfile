# One image for every role of a deployment (compose.yaml, docs/deploying.md): the command chooses the role,
# `here-to-help run --role prepare|actions|rasa|web`. Without one it runs everything, as `make run` does.
#
# Python 3.10 exactly (Rasa 3.6 does not run on 3.11), the same version as .python-version. The lock files are
# compiled for x86_64 manylinux (Makefile `lock`), so build for linux/amd64.

FROM python:3.10.13-slim-bookworm AS base
ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH=/app/.venv/bin:$PATH
WORKDIR /app
# uv installs the locked requirements exactly as `make install` does (the Makefile's UV_VERSION)
RUN python -m pip install --no-cache-dir --quiet "uv==0.13.9"

# -- the dependencies, in their own layer so a code change does not reinstall TensorFlow ----------------------
FROM base AS dependencies
# a compiler for any locked package that has no wheel for this platform; it stays in this stage only
RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential \
    && rm -rf /var/lib/apt/lists/*
COPY requirements/requirements.lock requirements/requirements.lock
RUN python -m venv /app/.venv \
    && uv pip sync --python /app/.venv/bin/python requirements/requirements.lock

# -- the application ------------------------------------------------------------------------------------------
FROM base
RUN groupadd --system --gid 10001 hth \
    && useradd --system --uid 10001 --gid hth --create-home --home-dir /home/hth hth
COPY --from=dependencies /app/.venv /app/.venv
COPY . /app
# editable, as `make install` does: settings resolve data/, models/ and var/ against the project folder
RUN uv pip install --python /app/.venv/bin/python --no-deps -e . \
    && mkdir -p /app/var /app/models \
    && chown hth:hth /app/var /app/models

# inside a container the servers listen on every interface; only the proxy is published (compose.yaml)
ENV HOST=0.0.0.0 \
    VAR_DIR=/app/var \
    MODELS_DIR=/app/models \
    RASA_TELEMETRY_ENABLED=false \
    HERE_TO_HELP_ENV=production
USER hth
EXPOSE 5005 5055 8000
# `run` is PID 1's child supervisor: SIGTERM from `docker stop` stops the server cleanly
CMD ["here-to-help", "run"]
