"""Exercise 3: finding and checking a deployment project's files (Dockerfile, manifests, CI, configs, alerts)."""
