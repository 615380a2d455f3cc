# syntax=docker/dockerfile:1
FROM python:3.11.7-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    GUNICORN_BIND=0.0.0.0:8000 \
    DEDUPE_DATA_DIR=/data

WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY app.py gunicorn.conf.py ./
COPY dedupe ./dedupe
# The fingerprint's compiled loops (numba), compiled once here into NUMBA_CACHE_DIR: a worker then loads
# them in about two seconds instead of compiling them for ten. numba uses a cache directory only where it
# can write, so the directory is handed to the service's user below.
ENV NUMBA_CACHE_DIR=/app/.numba-cache
RUN python -c "from dedupe.fingerprint import warm_up; warm_up()"

RUN useradd --system --uid 10001 --home-dir /app dedupe \
    && mkdir -p /data \
    && chown dedupe /data \
    && chown -R dedupe /app/.numba-cache
USER 10001
VOLUME ["/data"]
EXPOSE 8000

HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=2).status == 200 else 1)"]

CMD ["gunicorn", "-c", "gunicorn.conf.py", "app:app"]
