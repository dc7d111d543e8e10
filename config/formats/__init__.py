"""The project's date formats by language (settings.FORMAT_MODULE_PATH), where Django's own do not serve."""
