CREATE TABLE fine (id INTEGER);
INSERT INTO no_such_table VALUES (1);
