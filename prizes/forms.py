"""The prizes admin's forms: they parse what staff send; the rules live in prizes.codes and prizes.draws."""

from django import forms
from django.contrib.admin.widgets import AdminDateWidget
from django.utils.translation import gettext_lazy as _

from prizes.codes import MAX_FILE_BYTES


class CampaignChoiceForm(forms.Form):
    """A form whose campaign is one the staff user may act on (the view passes their scope)."""

    campaign = forms.ModelChoiceField(queryset=None, label=_("Campaign"))

    def __init__(self, *args, campaigns=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = campaigns.order_by("name")


class CodesUploadForm(CampaignChoiceForm):
    file = forms.FileField(
        label=_("File of codes"),
        help_text=_(
            "CSV or text in UTF-8, one code per line (the first column; a header line is allowed), up to "
            "%(limit)d MB. Codes already in the pool and repeats are skipped."
        )
        % {"limit": MAX_FILE_BYTES // 2**20},
    )


class AnnounceForm(CampaignChoiceForm):
    name = forms.CharField(label=_("Name of the draw"), max_length=100, help_text=_("E.g. “Week 1”."))
    starts_on = forms.DateField(label=_("Period: first day"), widget=AdminDateWidget)
    ends_on = forms.DateField(
        label=_("Period: last day"),
        widget=AdminDateWidget,
        help_text=_("Uploads from the first day to the last, in the campaign's time zone, take part."),
    )
    winners_count = forms.IntegerField(label=_("Number of winners"), min_value=1, max_value=100_000)
    allow_repeat = forms.BooleanField(label=_("A participant may win more than once"), required=False)
    seed = forms.CharField(
        label=_("Seed"),
        required=False,
        max_length=128,
        help_text=_("Leave empty for a random seed. It is published now and cannot be changed afterwards."),
    )


class RunForm(forms.Form):
    allow_pending = forms.BooleanField(
        label=_("Run without the submissions still waiting for a decision"), required=False
    )
