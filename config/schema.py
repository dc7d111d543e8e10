"""The OpenAPI schema is written in English, whatever the language of the request or the process: its texts are
English help texts, and model verbose names or choice labels (translated, lazily) must not leak in Russian."""

from django.utils import translation
from drf_spectacular.generators import SchemaGenerator


class EnglishSchemaGenerator(SchemaGenerator):
    def get_schema(self, request=None, public=False):
        with translation.override("en"):
            return super().get_schema(request=request, public=public)
