from pathlib import Path

from piccolo.conf.apps import AppConfig

from notify.tables import Delivery, FeedItem, Follow, NotifyEvent, Preference, PushSubscription

APP_CONFIG = AppConfig(
    app_name="notify",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[NotifyEvent, Delivery, FeedItem, Follow, Preference, PushSubscription],
    # Deliveries, feed items, follows and preferences refer to residents.
    migration_dependencies=["core.piccolo_app"],
    commands=[],
)
