"""Notifications: the outbox other domains write to, the worker that delivers it, follows and preferences."""
