"""Piccolo's configuration module: the engine and the apps whose tables and migrations make up Dauys."""

from piccolo.conf.apps import AppRegistry

from server.database import make_engine
from server.settings import get_settings

DB = make_engine(get_settings())

APP_REGISTRY = AppRegistry(
    apps=[
        "budgets.piccolo_app",
        "mobile_api.piccolo_app",
        "admin.piccolo_app",
    ]
)
