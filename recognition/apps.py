from django.apps import AppConfig


class RecognitionConfig(AppConfig):
    """Holds only the commands: recognition itself is plain Python with no models and no Django imports."""

    name = "recognition"
    verbose_name = "Recognition"
