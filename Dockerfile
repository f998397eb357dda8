# Boutique Manager: the web app (gunicorn) and the Huey consumer share this image.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    FLASK_APP=app:create_app \
    APP_ENV=production

# WeasyPrint renders PDFs with Pango/HarfBuzz and needs at least one font.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
# The English catalog (*.mo files are build products, not in git).
RUN if [ -d app/translations ]; then pybabel -q compile -d app/translations; fi \
    && useradd --create-home --uid 1000 --shell /usr/sbin/nologin boutique \
    && mkdir -p instance \
    && chown -R boutique:boutique instance

USER boutique
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4)"

# Migrate, create roles and permissions (both idempotent), then serve with sync workers.
CMD ["sh", "-c", "flask db upgrade && flask init-security && exec gunicorn -w ${WEB_CONCURRENCY:-2} -b 0.0.0.0:8000 'app:create_app()'"]
