"""Create the PostgreSQL database of DATABASE_URL when it does not exist yet (for benchmarks)."""

import os
import sys
from urllib.parse import urlparse


def main() -> int:
    import psycopg

    url = urlparse(os.environ["DATABASE_URL"])
    name = url.path.lstrip("/")
    with psycopg.connect(
        host=url.hostname, port=url.port or 5432, user=url.username or "postgres", password=url.password,
        dbname="postgres", autocommit=True,
    ) as connection:  # fmt: skip
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
