"""Dauys server: app factory, settings, database, Redis, scheduler and the command line."""

import os

# Piccolo finds its configuration module by name; ours ships inside the installed package.
os.environ.setdefault("PICCOLO_CONF", "server.piccolo_conf")
