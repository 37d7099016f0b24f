# docker-compose: the MySQL server's first start (docker-entrypoint-initdb.d, sourced by the image's
# entrypoint) creates one database per deployable and one user for the stack, whose password the
# operator sets (STRANGLER_DB_PASSWORD, see .env.example); none ships with the repository. Each
# deployable migrates its own database at start.
case "${STRANGLER_DB_PASSWORD:-}" in
  '' | *[!A-Za-z0-9._~-]*)
    echo 'STRANGLER_DB_PASSWORD must be set, in URL-safe characters only (e.g. openssl rand -hex 32)' >&2
    exit 1
    ;;
esac
docker_process_sql <<SQL
CREATE DATABASE IF NOT EXISTS monolith CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE DATABASE IF NOT EXISTS auth CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE DATABASE IF NOT EXISTS payments CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS 'strangler'@'%' IDENTIFIED BY '${STRANGLER_DB_PASSWORD}';
GRANT ALL PRIVILEGES ON monolith.* TO 'strangler'@'%';
GRANT ALL PRIVILEGES ON auth.* TO 'strangler'@'%';
GRANT ALL PRIVILEGES ON payments.* TO 'strangler'@'%';
SQL
