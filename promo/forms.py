"""The participant's upload form: the same checks as the API, with messages a person reads on a phone."""

from collections.abc import Iterable

from django import forms
from django.utils.translation import gettext_lazy as _

from promo.amounts import parse_typed_amount
from promo.contacts import normalize_contact
from promo.documents import DEFAULT_DOCUMENTS, photo_label
from promo.intake import EMPTY_FILE, NO_PHOTO, photo_intake
from promo.privacy import CONSENT_REQUIRED


class UploadForm(forms.Form):
    photo = forms.FileField(
        error_messages={"empty": EMPTY_FILE, "required": NO_PHOTO},
        label=_("Photo of the card slip"),
        # No `capture`: it makes many phones open the camera only, and a slip already photographed could not be
        # picked from the gallery.
        widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
    )
    amount = forms.CharField(
        label=_("Purchase amount"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    card_last4 = forms.RegexField(
        label=_("Last 4 digits of the card"),
        regex=r"^\d{4}$",
        error_messages={"invalid": _("Enter the four digits printed after the asterisks.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 4, "autocomplete": "off"}),
    )
    contact = forms.CharField(
        label=_("Phone or e-mail"), max_length=254, widget=forms.TextInput(attrs={"autocomplete": "tel"})
    )
    consent = forms.BooleanField(
        label=_("I accept the campaign rules and agree to the processing of my data"),
        error_messages={"required": CONSENT_REQUIRED},
    )

    def __init__(self, *args, documents: Iterable[str] = DEFAULT_DOCUMENTS, **kwargs):
        """`documents`: what the campaign accepts, which names the photo field."""
        super().__init__(*args, **kwargs)
        self.fields["photo"].label = photo_label(documents)

    def clean_photo(self):
        """The one ingestion step: the checked photo with its working copy (promo.intake)."""
        return photo_intake(self.cleaned_data["photo"])

    def clean(self):
        """A browser never sends a chosen file again: say so at the photo when only other fields were wrong."""
        cleaned = super().clean()
        if self.errors and "photo" in cleaned:
            self.add_error("photo", _("Choose the photo again: the browser does not keep it after an error."))
        return cleaned

    def clean_amount(self):
        return parse_typed_amount(self.cleaned_data["amount"])

    def clean_contact(self):
        contact = self.cleaned_data["contact"]
        normalize_contact(contact)
        return contact
