from django.apps import AppConfig


class ServerConfig(AppConfig):
    """Running UnionHome: the production web server and the background task worker together."""

    name = "unionhome.server"
    label = "server"
