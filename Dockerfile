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

# Dependencies first, exactly as locked (versions and hashes: `make lock`), so that neither a
# source change nor a pyproject.toml edit reinstalls them; the tests ran against these versions.
COPY requirements/app.lock ./requirements/
RUN pip install --require-hashes --requirement requirements/app.lock

# Then the project itself: a regular (not editable) install that resolves nothing more.
COPY pyproject.toml README.md ./
COPY domain ./domain
COPY projections ./projections
COPY api ./api
COPY infra ./infra
RUN pip install --no-deps . \
    && pip check \
    && stepwise --help > /dev/null

# --- runtime: slim base + the venv, run as an unprivileged user ------------------------------
FROM python:3.11-slim

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    STEPWISE_HOST=0.0.0.0 \
    STEPWISE_PORT=8000

# WeasyPrint (evidence packs as PDF) loads Pango and HarfBuzz at run time, and needs a font;
# the slim image has none of them. As WeasyPrint's install notes list them for Debian.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 stepwise \
    && useradd --system --uid 10001 --gid stepwise --home-dir /app --shell /usr/sbin/nologin stepwise \
    && mkdir /app \
    && chown stepwise:stepwise /app

COPY --from=build /opt/venv /opt/venv
# Stepwise imports WeasyPrint only when a PDF is asked for; find a missing library here instead.
RUN python -c "import weasyprint"

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
