"""Notifications (the inbox), their deliveries to external channels, people's preferences and unit robots."""

from unionhome.notify.models.deliveries import Channel, Delivery
from unionhome.notify.models.inbox import Notification
from unionhome.notify.models.preferences import Preferences
from unionhome.notify.models.robots import Robot

__all__ = ["Channel", "Delivery", "Notification", "Preferences", "Robot"]
