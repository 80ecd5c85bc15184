-- Slow on purpose: widens the window in which concurrent migrators would race without the
-- advisory lock (both would create the table and record version 1).
SELECT pg_sleep(0.3);
CREATE TABLE slow_one (id integer PRIMARY KEY);
