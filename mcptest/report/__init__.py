"""Reports of a run: the terminal summary, JSON, HTML and JUnit helpers."""
