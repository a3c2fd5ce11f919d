#!/bin/sh
# Builds one PostgreSQL major's client tools (libpq, pg_dump, pg_restore, pg_dumpall, psql) into
# /opt/postgresql/<major>/bin, for the image's build stage: `build-postgres-client.sh 18.6`.
# Amazon Linux 2023's postgresql15/16/17 packages all install into /usr/bin and exclude each other, so
# every major is built from PostgreSQL's source tarball, checked against its published SHA-256.
set -eu
version="$1"
major="${version%%.*}"
cd /tmp
curl -fsSLO "https://ftp.postgresql.org/pub/source/v${version}/postgresql-${version}.tar.bz2"
curl -fsSLO "https://ftp.postgresql.org/pub/source/v${version}/postgresql-${version}.tar.bz2.sha256"
sha256sum -c "postgresql-${version}.tar.bz2.sha256"
tar xjf "postgresql-${version}.tar.bz2"
cd "postgresql-${version}"
./configure --prefix="/opt/postgresql/${major}" --with-openssl --without-icu --without-readline --without-llvm --disable-nls >/dev/null
make -s -j"$(nproc)" -C src/backend generated-headers
for dir in src/interfaces/libpq src/bin/pg_dump src/bin/psql; do make -s -j"$(nproc)" -C "$dir" install; done
cd /tmp && rm -rf "postgresql-${version}"*
"/opt/postgresql/${major}/bin/pg_dump" --version
