-- Run once by the postgres image on an empty data directory (docker-compose.yml mounts it
-- into /docker-entrypoint-initdb.d): the same role and databases `xudong up` creates.
CREATE ROLE xudong LOGIN PASSWORD 'xudong' CREATEDB;

CREATE DATABASE identity OWNER xudong;
CREATE DATABASE venues OWNER xudong;
CREATE DATABASE booking OWNER xudong;
CREATE DATABASE notifications OWNER xudong;

\connect identity
CREATE EXTENSION IF NOT EXISTS btree_gist;
\connect venues
CREATE EXTENSION IF NOT EXISTS btree_gist;
\connect booking
CREATE EXTENSION IF NOT EXISTS btree_gist;
\connect notifications
CREATE EXTENSION IF NOT EXISTS btree_gist;
