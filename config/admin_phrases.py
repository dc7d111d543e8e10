"""Django's own admin phrases that take a model's name, listed so that `makemessages` keeps them in our catalogue.

Django's Russian catalogue puts the model's verbose_name (nominative: "акция", "участник") where Russian needs
another case ("Добавить акция", "Выберите участник для изменения"). Our LOCALE_PATHS catalogue takes precedence
over Django's, so locale/ru/LC_MESSAGES/django.po gives these msgids phrasings that read correctly with a
nominative name ("Добавить: акция", "Изменение: участник"). Each string here is exactly Django's msgid (the django
domain of django.contrib.admin and, for the unique-field error, of Django itself).

Nothing imports this module: `makemessages` only needs to read it. tests/config/test_translations.py checks that
every msgid here is still one of Django's.
"""

from django.utils.translation import gettext_noop, ngettext_lazy

PHRASES = [
    # Page titles (ModelAdmin.changeform_view, ChangeList) and the "Add" button and breadcrumb.
    gettext_noop("Add %s"),
    gettext_noop("Change %s"),
    gettext_noop("View %s"),
    gettext_noop("Select %s"),
    gettext_noop("Select %s to change"),
    gettext_noop("Select %s to view"),
    gettext_noop("Add %(name)s"),
    gettext_noop("Add another %(verbose_name)s"),
    # Messages after saving or deleting one object.
    gettext_noop("The {name} “{obj}” was added successfully."),
    gettext_noop("The {name} “{obj}” was added successfully. You may add another {name} below."),
    gettext_noop("The {name} “{obj}” was changed successfully."),
    gettext_noop("The {name} “{obj}” was changed successfully. You may edit it again below."),
    gettext_noop("The {name} “{obj}” was changed successfully. You may add another {name} below."),
    gettext_noop("The %(name)s “%(obj)s” was deleted successfully."),
    gettext_noop("%(name)s with ID “%(key)s” doesn’t exist. Perhaps it was deleted?"),
    # The change list: bulk edits, "select all", the delete action and its confirmation pages.
    ngettext_lazy(
        "%(count)s %(name)s was changed successfully.", "%(count)s %(name)s were changed successfully."
    ),
    gettext_noop("Select all %(total_count)s %(module_name)s"),
    gettext_noop("Delete selected %(verbose_name_plural)s"),
    gettext_noop("Successfully deleted %(count)d %(items)s."),
    gettext_noop("Cannot delete %(name)s"),
    gettext_noop(
        "Deleting the %(object_name)s '%(escaped_object)s' would result in deleting related objects, but your "
        "account doesn't have permission to delete the following types of objects:"
    ),
    gettext_noop(
        "Deleting the %(object_name)s '%(escaped_object)s' would require deleting the following protected "
        "related objects:"
    ),
    gettext_noop(
        'Are you sure you want to delete the %(object_name)s "%(escaped_object)s"? All of the following related '
        "items will be deleted:"
    ),
    gettext_noop(
        "Deleting the selected %(objects_name)s would result in deleting related objects, but your account "
        "doesn't have permission to delete the following types of objects:"
    ),
    gettext_noop(
        "Deleting the selected %(objects_name)s would require deleting the following protected related objects:"
    ),
    gettext_noop(
        "Are you sure you want to delete the selected %(objects_name)s? All of the following objects and their "
        "related items will be deleted:"
    ),
    # The history of an object (LogEntry.get_change_message).
    gettext_noop("Added {name} “{object}”."),
    gettext_noop("Changed {fields} for {name} “{object}”."),
    gettext_noop("Deleted {name} “{object}”."),
    # A model form's unique-field error (django.db.models.Model.unique_error_message), e.g. a campaign's slug.
    gettext_noop("%(model_name)s with this %(field_label)s already exists."),
]
