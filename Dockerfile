# The gateway for production: talks to the PostgreSQL named by GATEWAY_DATABASE_URL.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore

WORKDIR /src
# Dependencies first, from the lock, so code changes do not reinstall them.
COPY requirements.lock requirements-build.lock ./
RUN pip install --require-hashes -r requirements.lock -r requirements-build.lock
COPY pyproject.toml README.md ./
COPY gateway ./gateway
COPY schema ./schema
COPY resolvers ./resolvers
COPY permissions ./permissions
RUN pip install --no-deps --no-build-isolation . && rm -rf build *.egg-info

RUN useradd --system --create-home --uid 10001 gateway \
    && install -d -o gateway -g gateway /var/lib/gateway

ENV GATEWAY_HOST=0.0.0.0 \
    GATEWAY_PORT=8000 \
    GATEWAY_ENVIRONMENT=production \
    GATEWAY_DATA_DIR=/var/lib/gateway

USER gateway
WORKDIR /home/gateway
EXPOSE 8000
CMD ["gateway", "serve", "--migrate"]
