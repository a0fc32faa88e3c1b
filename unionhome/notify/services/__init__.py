"""Every write of notifications. Other apps call ``notification_send`` (a person's inbox, and the channels
they chose) and ``robot_announce`` (a unit's group robots)."""

from unionhome.notify.services.inbox import notification_mark_read, notification_send, notifications_mark_all_read
from unionhome.notify.services.robots import robot_announce

__all__ = ["notification_mark_read", "notification_send", "notifications_mark_all_read", "robot_announce"]
