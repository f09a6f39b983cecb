# cpcases: one image for web (gunicorn), the Celery worker, Celery beat and the migrate job.
# docker-compose.yml runs it; see README.md "Production with docker-compose".

# --- 1. front-end assets: govuk-frontend from npm, and our Sass build of its styles ------------
FROM python:3.11-slim AS assets
RUN apt-get update \
    && apt-get install -y --no-install-recommends nodejs npm \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY static/scss static/scss
RUN npm run build

# --- 2. the application ------------------------------------------------------------------------
FROM python:3.11-slim AS app
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=cpcases.settings.production \
    PYTHONPATH=/app
WORKDIR /app

# Dependencies first, in their own layer: rebuilt only when pyproject.toml changes.
COPY pyproject.toml ./
RUN mkdir cpcases && touch cpcases/__init__.py \
    && pip install . \
    && pip uninstall -y cpcases \
    && rm -rf cpcases build *.egg-info

COPY . .
# The app runs from /app (PYTHONPATH): settings find templates/, static/ and node_modules/
# beside the code. `pip install .` records the package itself; its dependencies are above.
RUN pip install --no-deps . && rm -rf build *.egg-info
COPY --from=assets /build/node_modules/govuk-frontend node_modules/govuk-frontend
COPY --from=assets /build/static/build static/build

# Static files are collected at build time (hashed names, compressed); whitenoise serves them.
# Production settings insist on these variables; these values exist only during this step.
RUN DJANGO_SECRET_KEY=collectstatic-at-build-time-only \
    DJANGO_ALLOWED_HOSTS=localhost \
    DATABASE_URL=postgresql://unused@localhost/unused \
    REDIS_URL=redis://localhost:6379/0 \
    python manage.py collectstatic --noinput -v 0

RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin cpcases \
    && mkdir -p /app/var \
    && chown cpcases /app/var
USER cpcases

EXPOSE 8000
# Workers, time-outs and limits: gunicorn.conf.py (docs/scaling-web.md).
CMD ["gunicorn", "--config", "gunicorn.conf.py", "cpcases.wsgi:application"]
