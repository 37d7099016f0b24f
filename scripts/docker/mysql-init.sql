-- docker-compose: the MySQL server's first start (docker-entrypoint-initdb.d) creates one database
-- per deployable and one user for the stack. Each deployable migrates its own database at start.
CREATE DATABASE IF NOT EXISTS monolith CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE DATABASE IF NOT EXISTS auth CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE DATABASE IF NOT EXISTS payments CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS 'strangler'@'%' IDENTIFIED BY 'strangler';
GRANT ALL PRIVILEGES ON monolith.* TO 'strangler'@'%';
GRANT ALL PRIVILEGES ON auth.* TO 'strangler'@'%';
GRANT ALL PRIVILEGES ON payments.* TO 'strangler'@'%';
