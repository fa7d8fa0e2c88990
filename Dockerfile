# Production image: the web server (gunicorn), the Celery worker and Celery beat
# all run from this one image; docker-compose.yml picks the command.
FROM python:3.11-slim-bookworm

# WEB_CONCURRENCY is gunicorn's own worker-count variable; override it at run time.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production \
    WEB_CONCURRENCY=3

# Chinese fonts and Pango/HarfBuzz for WeasyPrint's PDFs (the same fonts as on a
# developer's machine, so reports look the same everywhere); gettext to compile
# the translations.
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        fonts-noto-cjk \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz-subset0 \
        gettext \
    && rm -rf /var/lib/apt/lists/*

# An unprivileged user runs every process; the code stays root-owned (read-only to it).
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --create-home --home-dir /home/app \
        --shell /usr/sbin/nologin app

WORKDIR /app

# Dependencies first, so that a code change does not reinstall them. The
# pyproject declares no packages: this installs the dependencies only, and the
# platform runs from /app.
COPY pyproject.toml ./
RUN pip install --no-cache-dir -e .

COPY . .

# Translations and static files are built into the image. Production settings
# refuse to load without DATABASE_URL, REDIS_URL and DJANGO_SECRET_KEY (and base
# settings would start an embedded PostgreSQL without DATABASE_URL): the values
# below are placeholders set for these two commands only, never kept in the image
# (so a container still fails fast when the real ones are missing). Nothing
# connects to them.
RUN export DATABASE_URL=postgresql://build:build@localhost:5432/build \
        REDIS_URL=redis://localhost:6379/0 \
        DJANGO_SECRET_KEY=build-time-placeholder-not-a-secret \
    && python manage.py compilemessages \
    && python manage.py collectstatic --noinput

# Writable by the app user: media (report files the worker writes and the web
# serves; a shared volume in docker-compose.yml) and .data (celery beat's
# schedule). A named volume mounted on an image folder starts with its ownership.
RUN mkdir -p /app/media /app/.data \
    && chown app:app /app/media /app/.data

USER app

EXPOSE 8000

# No HEALTHCHECK here: the worker and beat run this image too. docker-compose.yml
# checks the web service through /healthz/.
CMD ["gunicorn", "config.wsgi:application", \
     "--bind", "0.0.0.0:8000", \
     "--timeout", "60", \
     "--graceful-timeout", "30", \
     "--keep-alive", "5", \
     "--max-requests", "1000", \
     "--max-requests-jitter", "100", \
     "--worker-tmp-dir", "/dev/shm", \
     "--access-logfile", "-"]
