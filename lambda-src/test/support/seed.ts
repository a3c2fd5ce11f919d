import type { TestPostgres } from "./postgres";

/**
 * Seeds `database` with several tables, 335,000 rows in all, whose text exercises COPY's escaping:
 * newlines, tabs, backslashes, quotes, non-ASCII, NULLs, bytea, an empty table and another schema.
 * The random `events` make the compressed dump larger than one 5 MiB part, so uploads are multipart.
 */
export async function seedDatabase(pg: TestPostgres, database: string): Promise<void> {
  await pg.sql(
    database,
    `CREATE SCHEMA billing;
     CREATE TABLE customers (id bigint PRIMARY KEY, name text NOT NULL, email text, created timestamptz NOT NULL, notes text);
     INSERT INTO customers SELECT i, 'Customer ' || i, CASE WHEN i % 7 = 0 THEN NULL ELSE 'c' || i || '@example.com' END,
       timestamptz '2026-01-01 00:00:00+00' + (i || ' minutes')::interval,
       CASE i % 5 WHEN 0 THEN E'line one\\nline two' WHEN 1 THEN E'tab\\there' WHEN 2 THEN E'back\\\\slash' WHEN 3 THEN 'ünïcødé ✓ "quoted"' ELSE NULL END
       FROM generate_series(1, 120000) i;
     CREATE TABLE billing.invoices (id bigint PRIMARY KEY, customer_id bigint REFERENCES customers(id), amount numeric(12,2), paid boolean, payload jsonb);
     INSERT INTO billing.invoices SELECT i, 1 + (i % 120000), (i * 7.31)::numeric(12,2), i % 3 = 0, jsonb_build_object('n', i, 'tags', jsonb_build_array('a', 'b'))
       FROM generate_series(1, 60000) i;
     CREATE TABLE blobs (id int PRIMARY KEY, data bytea);
     INSERT INTO blobs SELECT i, decode(md5(i::text) || md5((i * 2)::text), 'hex') FROM generate_series(1, 5000) i;
     CREATE TABLE empty_table (id int);
     CREATE TABLE events (id int, digest text);
     INSERT INTO events SELECT i, md5(random()::text) || md5(random()::text) FROM generate_series(1, 150000) i;
     CREATE INDEX customers_email ON customers (email);`,
  );
}
