# Stepwise: one image for the API (`stepwise serve`), the projector (`stepwise projections run`)
# and one-off commands (`stepwise demo`, `stepwise projections status|rebuild`).

# --- build: install the project and its dependencies into a venv we copy whole ----------------
FROM python:3.11-slim AS build

# Bytecode is left on here on purpose: pip precompiles the venv, so every `stepwise` start
# (including the projector's healthcheck) skips compiling; the runtime user cannot write it.
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH

WORKDIR /src

# Dependencies first, from pyproject's own list, so a source change does not reinstall them.
COPY pyproject.toml README.md ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt

# Then the project itself: a regular (not editable) install, no dev/test extras.
COPY domain ./domain
COPY projections ./projections
COPY api ./api
COPY infra ./infra
RUN pip install . \
    && stepwise --help > /dev/null

# --- runtime: slim base + the venv, run as an unprivileged user ------------------------------
FROM python:3.11-slim

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    STEPWISE_HOST=0.0.0.0 \
    STEPWISE_PORT=8000

RUN groupadd --system --gid 10001 stepwise \
    && useradd --system --uid 10001 --gid stepwise --home-dir /app --shell /usr/sbin/nologin stepwise \
    && mkdir /app \
    && chown stepwise:stepwise /app

COPY --from=build /opt/venv /opt/venv

# The working directory is writable so the SQLite default (sqlite:///stepwise.db) also works
# for a bare `docker run`; compose points STEPWISE_DATABASE_URL at PostgreSQL instead.
WORKDIR /app
# Numeric, so runtimes that enforce runAsNonRoot can verify it without reading /etc/passwd.
USER 10001:10001

EXPOSE 8000

# No curl in the slim image: ask /health (200 while the process answers) with urllib.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/health' % os.environ.get('STEPWISE_PORT', '8000'), timeout=4)"]

# Exec form: `stepwise` is PID 1 and receives SIGTERM from `docker stop` directly.
CMD ["stepwise", "serve"]
