-- A migration that fails half-way: the table below must not survive it.
CREATE TABLE created_before_the_error (id integer PRIMARY KEY);

INSERT INTO created_before_the_error VALUES (1);
SELECT no_such_column FROM created_before_the_error;
