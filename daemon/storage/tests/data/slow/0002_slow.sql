SELECT pg_sleep(0.2);
CREATE TABLE slow_two (id integer PRIMARY KEY);
