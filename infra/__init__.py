"""The platform under every other package: settings, database, stores, SMS, tokens and HTTP helpers."""

import os

# Piccolo finds its configuration module by name (it lists the apps, so it lives with the wiring in
# server/); ours ships inside the installed package.
os.environ.setdefault("PICCOLO_CONF", "server.piccolo_conf")
