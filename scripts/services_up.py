"""Exit 0 when the PostgreSQL of DATABASE_URL and the Redis of REDIS_URL both answer, else 1 with the reason."""

import os
import sys
from urllib.parse import urlparse


def main() -> int:
    database_url = os.environ["DATABASE_URL"]
    redis_url = os.environ["REDIS_URL"]
    try:
        import psycopg
        import redis

        url = urlparse(database_url)
        with psycopg.connect(
            host=url.hostname, port=url.port or 5432, user=url.username or "postgres", password=url.password,
            dbname="postgres", connect_timeout=3,
        ):  # fmt: skip
            pass
        redis.Redis.from_url(redis_url, socket_connect_timeout=3).ping()
    except Exception as error:
        print(f"services not available: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
