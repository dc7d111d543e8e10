"""The report's filters: a campaign the user may see, and a period of days in the campaign's time zone."""

from datetime import timedelta
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from reports.selectors import MAX_PERIOD_DAYS, Period


class ReportFilterForm(forms.Form):
    campaign = forms.ModelChoiceField(queryset=None, label=_("Campaign"), empty_label=None)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args: Any, campaigns: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = campaigns

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        campaign = data.get("campaign")
        if campaign is None:
            return data
        default = Period.default(campaign)
        date_from = data.get("date_from") or default.date_from
        date_to = data.get("date_to") or default.date_to
        if date_to < date_from:
            raise forms.ValidationError(_("The period ends before it starts."))
        if date_to - date_from > timedelta(days=MAX_PERIOD_DAYS):
            raise forms.ValidationError(
                _("A report covers at most %(days)s days."), params={"days": MAX_PERIOD_DAYS}
            )
        data["period"] = Period(campaign=campaign, date_from=date_from, date_to=date_to)
        return data
