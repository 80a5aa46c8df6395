"""Piccolo's configuration module: the engine and the apps whose tables and migrations make up Dauys."""

from piccolo.conf.apps import AppRegistry

from infra.database import make_engine
from infra.settings import get_settings

DB = make_engine(get_settings())

APP_REGISTRY = AppRegistry(
    apps=[
        "budgets.piccolo_app",
        "admin.piccolo_app",
        "core.piccolo_app",
        "notify.piccolo_app",
        "ideas.piccolo_app",
        "initiatives.piccolo_app",
    ]
)
